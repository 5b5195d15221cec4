/* nc-csv.c — RFC 4180 comma-separated values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fields are separated by commas, records by CRLF (a bare LF is accepted too); a field
 * with a comma, a quote or a line break is quoted, and a quote inside it is doubled. A
 * quoted field may span lines: each record says on which line it starts. What RFC 4180
 * forbids — a quote inside an unquoted field, text after a closing quote, a quote that
 * never closes — is an error that names its line, never a guess; so is a NUL byte, which
 * would cut a field short (a file saved as UTF-16 is full of them).
 *
 * A cell that a spreadsheet would run as a formula — one that begins with =, +, -, @, a
 * tab or a carriage return — is written with a ' in front (OWASP's rule against CSV
 * injection: an exported client name "=HYPERLINK(…)", or a pbx_call_id from a webhook,
 * which nobody signs, must stay text). The reader takes that ' off again, so what is
 * written reads back as it was: a cell of ' marks before such a character gets one more
 * on the way out and loses one on the way in.
 */

#define G_LOG_DOMAIN "nc-csv"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-csv.h"

G_DEFINE_QUARK (nc-csv-error-quark, nc_csv_error)

struct _NcCsvReader
{
  const char *data;
  const char *end;
  const char *p;
  guint       line;        /* of p */
  guint       error_line;  /* where the record with the error starts */
};

/**
 * nc_csv_reader_new:
 * @data: the whole text; it must outlive the reader
 */
NcCsvReader *
nc_csv_reader_new (const char *data,
                   gsize       length)
{
  NcCsvReader *reader = g_new0 (NcCsvReader, 1);

  reader->data = data;
  reader->end = data + length;
  reader->p = data;
  reader->line = 1;

  /* A byte order mark, as spreadsheets write it, is not part of the first field. */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    reader->p += 3;

  return reader;
}

/**
 * nc_csv_reader_new_part:
 * @data: records that follow others, from a record's start; it must outlive the reader
 * @first_line: the line of the file on which @data begins
 *
 * A reader of one part of a text read a part at a time: the lines it tells are the
 * text's, and a byte order mark is no longer looked for.
 */
NcCsvReader *
nc_csv_reader_new_part (const char *data,
                        gsize       length,
                        guint       first_line)
{
  NcCsvReader *reader = g_new0 (NcCsvReader, 1);

  reader->data = data;
  reader->end = data + length;
  reader->p = data;
  reader->line = first_line;
  return reader;
}

/**
 * nc_csv_reader_get_line:
 *
 * Returns: the line on which the next record starts
 */
guint
nc_csv_reader_get_line (NcCsvReader *reader)
{
  return reader->line;
}

/**
 * nc_csv_reader_get_error_line:
 *
 * Returns: the line on which the record that failed starts
 */
guint
nc_csv_reader_get_error_line (NcCsvReader *reader)
{
  return reader->error_line;
}

void
nc_csv_reader_free (NcCsvReader *reader)
{
  g_free (reader);
}

/* At a record's end: CRLF, LF, or the end of the text. */
static gboolean
at_record_end (NcCsvReader *reader)
{
  return reader->p >= reader->end || *reader->p == '\n' ||
         (*reader->p == '\r' && (reader->p + 1 >= reader->end || reader->p[1] == '\n'));
}

static void
skip_record_end (NcCsvReader *reader)
{
  if (reader->p < reader->end && *reader->p == '\r')
    reader->p++;
  if (reader->p < reader->end && *reader->p == '\n')
    {
      reader->p++;
      reader->line++;
    }
}

/* A field is a C string: a NUL would cut it short without a word. The line is the NUL's
 * own, since a record can span many. */
static void
set_nul_error (NcCsvReader  *reader,
               GError      **error)
{
  reader->error_line = reader->line;
  g_set_error_literal (error, NC_CSV_ERROR, NC_CSV_ERROR_NUL,
                       _("the text has a NUL byte, which no text may have (save the file as "
                         "UTF-8 text)"));
}

/**
 * nc_csv_reader_next:
 * @out_fields: (out) (transfer full): the record's fields
 * @out_line: (out) (optional): the line on which the record starts
 *
 * Returns: %TRUE with a record; %FALSE at the end (@error unset) or on an error (set)
 */
gboolean
nc_csv_reader_next (NcCsvReader  *reader,
                    GPtrArray   **out_fields,
                    guint        *out_line,
                    GError      **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  guint start_line;

  /* A final line break ends the last record; it does not begin an empty one. */
  if (reader->p >= reader->end)
    return FALSE;

  start_line = reader->line;
  reader->error_line = start_line;
  fields = g_ptr_array_new_with_free_func (g_free);

  for (;;)
    {
      GString *field = g_string_new (NULL);

      if (reader->p < reader->end && *reader->p == '"')
        {
          guint quote_line = reader->line;

          reader->p++;
          for (;;)
            {
              if (reader->p >= reader->end)
                {
                  g_string_free (field, TRUE);
                  g_set_error (error, NC_CSV_ERROR, NC_CSV_ERROR_UNTERMINATED_QUOTE,
                               _("the quote opened on line %u is never closed"), quote_line);
                  return FALSE;
                }
              if (*reader->p == '"')
                {
                  if (reader->p + 1 < reader->end && reader->p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      reader->p += 2;
                      continue;
                    }
                  reader->p++;
                  break;
                }
              if (*reader->p == '\0')
                {
                  g_string_free (field, TRUE);
                  set_nul_error (reader, error);
                  return FALSE;
                }
              if (*reader->p == '\n')
                reader->line++;
              g_string_append_c (field, *reader->p++);
            }

          if (reader->p < reader->end && *reader->p != ',' && !at_record_end (reader))
            {
              g_string_free (field, TRUE);
              g_set_error_literal (error, NC_CSV_ERROR, NC_CSV_ERROR_TEXT_AFTER_QUOTE,
                                   _("there is text after a closing quote (a quote inside a "
                                     "field is written twice: \"\")"));
              return FALSE;
            }
        }
      else
        {
          while (reader->p < reader->end && *reader->p != ',' && !at_record_end (reader))
            {
              if (*reader->p == '"')
                {
                  g_string_free (field, TRUE);
                  g_set_error_literal (error, NC_CSV_ERROR, NC_CSV_ERROR_STRAY_QUOTE,
                                       _("there is a quote inside a field that does not "
                                         "begin with one (quote the whole field, and write "
                                         "the quote twice)"));
                  return FALSE;
                }
              if (*reader->p == '\0')
                {
                  g_string_free (field, TRUE);
                  set_nul_error (reader, error);
                  return FALSE;
                }
              g_string_append_c (field, *reader->p++);
            }
        }

      g_ptr_array_add (fields, g_string_free (field, FALSE));

      if (reader->p < reader->end && *reader->p == ',')
        {
          reader->p++;
          continue;
        }

      skip_record_end (reader);
      break;
    }

  for (guint i = 0; i < fields->len; i++)
    {
      if (!g_utf8_validate (fields->pdata[i], -1, NULL))
        {
          g_set_error_literal (error, NC_CSV_ERROR, NC_CSV_ERROR_INVALID_UTF8,
                               _("the text is not valid UTF-8 (save the file as UTF-8)"));
          return FALSE;
        }
      nc_csv_unneutralize (fields->pdata[i]);
    }

  *out_fields = g_steal_pointer (&fields);
  if (out_line != NULL)
    *out_line = start_line;
  return TRUE;
}

static gboolean
starts_formula (const char *field)
{
  /* Leading ' marks are looked through, so that neutralising stays reversible. */
  while (*field == '\'')
    field++;
  return *field != '\0' && strchr ("=+-@\t\r", *field) != NULL;
}

/**
 * nc_csv_neutralize:
 *
 * Returns: (transfer full) (nullable): @field with a ' in front when a spreadsheet would
 *   take it for a formula, or %NULL when it is safe as it is
 */
char *
nc_csv_neutralize (const char *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return starts_formula (field) ? g_strconcat ("'", field, NULL) : NULL;
}

/**
 * nc_csv_unneutralize:
 * @field: a field as read, changed in place
 *
 * Takes off the ' that nc_csv_neutralize() put in front.
 */
void
nc_csv_unneutralize (char *field)
{
  g_return_if_fail (field != NULL);

  if (field[0] == '\'' && starts_formula (field + 1))
    memmove (field, field + 1, strlen (field));
}

static gboolean
needs_quotes (const char *field)
{
  /* A leading byte order mark would be taken for the file's own, so it is quoted too. */
  return strpbrk (field, ",\"\r\n") != NULL || g_str_has_prefix (field, "\xEF\xBB\xBF") ||
         (field[0] != '\0' && (g_ascii_isspace (field[0]) ||
                               g_ascii_isspace (field[strlen (field) - 1])));
}

/**
 * nc_csv_append_row:
 *
 * Appends one record to @out, quoting the fields that need it, ended by CRLF. Every
 * field is neutralised first (see nc_csv_neutralize()).
 */
void
nc_csv_append_row (GString           *out,
                   const char *const *fields,
                   guint              n_fields)
{
  for (guint i = 0; i < n_fields; i++)
    {
      g_autofree char *neutral = nc_csv_neutralize (fields[i] != NULL ? fields[i] : "");
      const char *field = neutral != NULL ? neutral : fields[i] != NULL ? fields[i] : "";

      if (i > 0)
        g_string_append_c (out, ',');

      if (!needs_quotes (field))
        {
          g_string_append (out, field);
          continue;
        }

      g_string_append_c (out, '"');
      for (const char *p = field; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  g_string_append (out, "\r\n");
}

/**
 * nc_csv_file_replace:
 *
 * Where a CSV file an export writes goes: aside, put in place of @file whole once
 * nc_csv_file_finish() says it was written, readable by its owner only (the clients' and
 * the team's data are nobody else's).
 *
 * Returns: (transfer full) (nullable): the stream
 */
GFileOutputStream *
nc_csv_file_replace (GFile         *file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return g_file_replace (file, NULL, FALSE,
                         G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                         cancellable, error);
}

/**
 * nc_csv_file_finish:
 * @written: whether all was written; if not, what was is dropped and the old file stays
 *
 * Returns: whether the file is in place
 */
gboolean
nc_csv_file_finish (GFileOutputStream  *out,
                    gboolean            written,
                    GCancellable       *cancellable,
                    GError            **error)
{
  g_autoptr(GCancellable) abandon = NULL;

  if (written)
    return g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error);
  /* Closed cancelled, the stream removes what it wrote and leaves the old file. */
  abandon = g_cancellable_new ();
  g_cancellable_cancel (abandon);
  g_output_stream_close (G_OUTPUT_STREAM (out), abandon, NULL);
  return FALSE;
}
