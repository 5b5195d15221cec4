/* nc-client-csv.c — clients to and from CSV files: a header row, then one client a row
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The columns "name", "channel" and "phone" are required; every other column is a
 * variable, and an empty cell is no variable. A file is read whole and checked row by
 * row before anything is written, so a bad row leaves the store as it was; the error
 * names the file and the line. The command line and the window use the same code.
 *
 * No cell may have a control character (an escape that a terminal would obey, say)
 * other than a tab or a line break, which spreadsheets write into quoted cells. Every cell
 * has a size limit: a client's name goes to the PBX as the caller's name and onto the
 * screen of every operator, and a cell of megabytes is no one's data.
 */

#define G_LOG_DOMAIN "nc-client-csv"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "nc-client-csv.h"
#include "nc-csv.h"
#include "nc-phone.h"

static const char *const required_columns[] = { "name", "channel", "phone" };

G_DEFINE_QUARK (nc-client-csv-error-quark, nc_client_csv_error)

static char *
channel_list (void)
{
  GString *list = g_string_new (NULL);

  for (guint i = 0; i < NC_N_CHANNELS; i++)
    g_string_append_printf (list, "%s%s", i > 0 ? ", " : "", nc_channel_to_string (i));
  return g_string_free (list, FALSE);
}

/* Whether @text has a control character other than the tab and the line breaks, which
 * spreadsheets write into quoted cells themselves. */
static gboolean
has_control (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != '\n' && c != '\r' && c != '\t' && g_unichar_iscntrl (c))
        return TRUE;
    }
  return FALSE;
}

static void
set_line_error (GError    **error,
                const char *name,
                guint       line,
                const char *message)
{
  g_set_error (error, NC_CLIENT_CSV_ERROR, NC_CLIENT_CSV_ERROR_INVALID, "%s:%u: %s", name, line,
               message);
}

/* Whether @text has a byte of the C0 controls or DEL other than the tab and line breaks,
 * or any byte outside ASCII, which then needs the slower look of has_control(). */
static gboolean
maybe_control (const char *text,
               gsize       length)
{
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7f)
        return TRUE;
    }
  return FALSE;
}

/* A cell's limits; @what names it in the message, or else the value of column @column
 * does (made only for the message: an import checks millions of cells). */
static gboolean
check_cell (const char  *name,
            guint        line,
            const char  *what,
            const char  *column,
            const char  *text,
            gsize        max_chars,
            GError     **error)
{
  g_autofree char *message = NULL;
  g_autofree char *named = NULL;
  gsize length = strlen (text);
  gboolean ascii_plain = !maybe_control (text, length);

  /* Plain ASCII: a character a byte, and no control character. */
  if (ascii_plain && length <= max_chars)
    return TRUE;

  if (what == NULL)
    what = named = g_strdup_printf (_("the value of “%s”"), column);
  if (length > max_chars * 4 || g_utf8_strlen (text, -1) > (glong) max_chars)
    message = g_strdup_printf (_("%s is longer than %u characters"), what, (guint) max_chars);
  else if (!ascii_plain && has_control (text))
    message = g_strdup_printf (_("%s has a control character (an invisible one, such as an "
                                 "escape)"), what);
  if (message == NULL)
    return TRUE;
  set_line_error (error, name, line, message);
  return FALSE;
}

static gboolean
find_columns (const char *name,
              guint       line,
              GPtrArray  *header,
              int        *columns,
              GError    **error)
{
  for (guint c = 0; c < G_N_ELEMENTS (required_columns); c++)
    {
      columns[c] = -1;
      for (guint i = 0; i < header->len; i++)
        if (g_str_equal (g_ptr_array_index (header, i), required_columns[c]))
          columns[c] = (int) i;
      if (columns[c] < 0)
        {
          g_autofree char *message =
            g_strdup_printf (_("the header row has no “%s” column (it needs name, channel and "
                               "phone)"), required_columns[c]);

          set_line_error (error, name, line, message);
          return FALSE;
        }
    }

  for (guint i = 0; i < header->len; i++)
    {
      const char *column = g_ptr_array_index (header, i);
      g_autofree char *what = g_strdup_printf (_("the name of column %u"), i + 1);

      if (!check_cell (name, line, what, NULL, column, NC_CLIENT_CSV_MAX_NAME, error))
        return FALSE;
      if (*column == '\0')
        {
          g_autofree char *message =
            g_strdup_printf (_("column %u of the header row has no name"), i + 1);

          set_line_error (error, name, line, message);
          return FALSE;
        }
      for (guint j = 0; j < i; j++)
        if (g_str_equal (column, g_ptr_array_index (header, j)))
          {
            g_autofree char *message =
              g_strdup_printf (_("the header row names “%s” twice"), column);

            set_line_error (error, name, line, message);
            return FALSE;
          }
    }
  return TRUE;
}

/* One row as a draft client, or NULL and @error. */
static NcClient *
parse_row (const char *name,
           guint       line,
           GPtrArray  *header,
           const int  *columns,
           GPtrArray  *fields,
           GError    **error)
{
  g_autoptr(GError) phone_error = NULL;
  g_autofree char *phone = NULL;
  const char *client_name, *channel_text, *phone_text;
  GPtrArray *variables;
  NcClient *draft;
  NcChannel channel;

  if (fields->len != header->len)
    {
      g_autofree char *message =
        g_strdup_printf (_("%u fields, but the header row has %u"), fields->len, header->len);

      set_line_error (error, name, line, message);
      return NULL;
    }

  client_name = g_strstrip ((char *) fields->pdata[columns[0]]);
  channel_text = g_strstrip ((char *) fields->pdata[columns[1]]);
  phone_text = g_strstrip ((char *) fields->pdata[columns[2]]);

  if (!check_cell (name, line, _("the name"), NULL, client_name, NC_CLIENT_CSV_MAX_NAME, error) ||
      !check_cell (name, line, _("the channel"), NULL, channel_text, NC_CLIENT_CSV_MAX_NAME,
                   error) ||
      !check_cell (name, line, _("the phone"), NULL, phone_text, NC_CLIENT_CSV_MAX_NAME, error))
    return NULL;
  for (guint i = 0; i < header->len; i++)
    {
      if ((int) i == columns[0] || (int) i == columns[1] || (int) i == columns[2])
        continue;
      if (!check_cell (name, line, NULL, header->pdata[i], fields->pdata[i],
                       NC_CLIENT_CSV_MAX_VALUE, error))
        return NULL;
    }

  if (*client_name == '\0')
    {
      set_line_error (error, name, line, _("the client has no name"));
      return NULL;
    }
  if (!nc_channel_from_string (channel_text, &channel))
    {
      g_autofree char *known = channel_list ();
      g_autofree char *message =
        g_strdup_printf (_("unknown channel “%s” (one of %s)"), channel_text, known);

      set_line_error (error, name, line, message);
      return NULL;
    }
  if (*phone_text != '\0')
    {
      phone = nc_phone_normalize_number (phone_text, &phone_error);
      if (phone == NULL)
        {
          set_line_error (error, name, line, phone_error->message);
          return NULL;
        }
    }

  variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  for (guint i = 0; i < header->len; i++)
    {
      const char *value = fields->pdata[i];

      if ((int) i == columns[0] || (int) i == columns[1] || (int) i == columns[2] ||
          *value == '\0')
        continue;
      g_ptr_array_add (variables, nc_variable_new (header->pdata[i], value));
    }

  draft = nc_client_new (0, client_name, channel, phone, 0);
  nc_client_take_variables (draft, variables);
  return draft;
}

static guint64
count_lines (const char *contents,
             gsize       length)
{
  guint64 lines = 1;

  for (const char *p = contents; (p = memchr (p, '\n', length - (gsize) (p - contents))) != NULL; p++)
    lines++;
  return lines;
}

/**
 * nc_client_csv_parse:
 * @name: the file's name, for the messages
 * @progress: (nullable): how many lines are read
 *
 * Returns: (transfer full) (element-type NcClient): the drafts, or %NULL and an error
 *   that names @name and the line
 */
GPtrArray *
nc_client_csv_parse (const char  *name,
                     const char  *contents,
                     gsize        length,
                     NcProgress  *progress,
                     GError     **error)
{
  g_autoptr(NcCsvReader) reader = nc_csv_reader_new (contents, length);
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) csv_error = NULL;
  guint64 lines = progress != NULL ? count_lines (contents, length) : 0;
  int columns[G_N_ELEMENTS (required_columns)];
  guint line = 0;

  g_return_val_if_fail (name != NULL, NULL);

  if (!nc_csv_reader_next (reader, &header, &line, &csv_error))
    {
      if (csv_error != NULL)
        set_line_error (error, name, nc_csv_reader_get_error_line (reader), csv_error->message);
      else
        set_line_error (error, name, 1,
                        _("the file is empty; it needs a header row with name, channel and phone"));
      return NULL;
    }
  if (!find_columns (name, line, header, columns, error))
    return NULL;

  for (;;)
    {
      g_autoptr(GPtrArray) fields = NULL;
      NcClient *draft;

      if (!nc_csv_reader_next (reader, &fields, &line, &csv_error))
        {
          if (csv_error == NULL)
            break;
          set_line_error (error, name, nc_csv_reader_get_error_line (reader),
                          csv_error->message);
          return NULL;
        }
      if (progress != NULL && line % 1024 == 0)
        nc_progress_set (progress, line, lines);

      /* An empty line between records is nothing. */
      if (fields->len == 1 && *(const char *) fields->pdata[0] == '\0')
        continue;

      draft = parse_row (name, line, header, columns, fields, error);
      if (draft == NULL)
        return NULL;
      g_ptr_array_add (drafts, draft);
    }

  if (progress != NULL)
    nc_progress_set (progress, lines, lines);
  return g_steal_pointer (&drafts);
}

/* Clients an export reads at a time: its memory does not grow with the store. */
#define EXPORT_PAGE 1000

/**
 * nc_client_csv_write:
 * @write: where the text goes, a piece at a time
 * @progress: (nullable): how many clients are written
 * @out_count: (out) (optional): how many clients were written
 *
 * Writes every client of @store as CSV: name, channel, phone, then the variables' columns
 * in the order they first appear among the clients, a page of clients at a time.
 */
gboolean
nc_client_csv_write (NcStore              *store,
                     NcClientCsvWriteFunc  write,
                     gpointer              sink,
                     NcProgress           *progress,
                     GCancellable         *cancellable,
                     guint                *out_count,
                     GError              **error)
{
  g_autoptr(GPtrArray) names = NULL;
  g_autoptr(GPtrArray) columns = g_ptr_array_new ();
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree const char **row = NULL;
  gint64 after_id = 0;
  guint total = 0, count = 0;

  names = nc_store_list_variable_names_sync (store, &total, error);
  if (names == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (required_columns); i++)
    g_ptr_array_add (columns, (gpointer) required_columns[i]);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (columns, names->pdata[i]);
  nc_csv_append_row (csv, (const char *const *) columns->pdata, columns->len);
  row = g_new0 (const char *, columns->len);

  for (;;)
    {
      g_autoptr(GPtrArray) page = nc_store_list_clients_page_sync (store, after_id, EXPORT_PAGE,
                                                                   TRUE, error);

      if (page == NULL)
        return FALSE;
      for (guint i = 0; i < page->len; i++)
        {
          NcClient *client = page->pdata[i];

          row[0] = nc_client_get_name (client);
          row[1] = nc_channel_to_string (nc_client_get_channel (client));
          row[2] = nc_client_get_phone (client);
          for (guint c = G_N_ELEMENTS (required_columns); c < columns->len; c++)
            row[c] = nc_client_get_variable (client, columns->pdata[c]);
          nc_csv_append_row (csv, row, columns->len);
        }
      if (!write (sink, csv->str, csv->len, cancellable, error) ||
          g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_string_truncate (csv, 0);
      count += page->len;
      if (progress != NULL)
        nc_progress_set (progress, count, MAX (count, total));
      if (page->len < EXPORT_PAGE)
        break;
      after_id = nc_client_get_id (page->pdata[page->len - 1]);
    }

  if (out_count != NULL)
    *out_count = count;
  return TRUE;
}

static gboolean
write_to_stream (gpointer       sink,
                 const char    *data,
                 gsize          length,
                 GCancellable  *cancellable,
                 GError       **error)
{
  return g_output_stream_write_all (sink, data, length, NULL, cancellable, error);
}

/**
 * nc_client_csv_export_file_sync:
 * @out_count: (out) (optional): how many clients were written
 *
 * Writes every client of @store to @file (nc_client_csv_write()): written aside and moved
 * over the old file only once whole, never half a file, and readable by its owner only,
 * like the database it comes from (an old file's mode is not kept).
 */
gboolean
nc_client_csv_export_file_sync (NcStore       *store,
                                GFile         *file,
                                NcProgress    *progress,
                                GCancellable  *cancellable,
                                guint         *out_count,
                                GError       **error)
{
  g_autoptr(GFileOutputStream) out = nc_csv_file_replace (file, cancellable, error);
  gboolean written;

  if (out == NULL)
    return FALSE;
  written = nc_client_csv_write (store, write_to_stream, out, progress, cancellable, out_count,
                                 error);
  return nc_csv_file_finish (out, written, cancellable, error);
}

/* Import ----------------------------------------------------------------------------- */

typedef struct
{
  NcStore    *store;
  GFile      *file;
  NcProgress *progress;
  guint       count;
} Transfer;

static void
transfer_free (Transfer *transfer)
{
  g_clear_object (&transfer->store);
  g_clear_object (&transfer->file);
  g_clear_pointer (&transfer->progress, nc_progress_unref);
  g_free (transfer);
}

static GTask *
transfer_task_new (NcStore             *store,
                   GFile               *file,
                   NcProgress          *progress,
                   gpointer             source_tag,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  GTask *task = g_task_new (store, cancellable, callback, user_data);
  Transfer *transfer = g_new0 (Transfer, 1);

  transfer->store = g_object_ref (store);
  transfer->file = g_object_ref (file);
  transfer->progress = progress != NULL ? nc_progress_ref (progress) : nc_progress_new ();
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, transfer, (GDestroyNotify) transfer_free);
  return task;
}

/* Streaming import ------------------------------------------------------------------- */

/* What a read takes of the file at once. The clients of one job on the store's writer
 * are as many as it writes in a few milliseconds (nc_store_import_get_chunk_size()): a
 * webhook event queued behind them waits no longer. */
#define READ_BLOCK (1 << 20)
/* A record this long is no one's data (the cells have their limits): it is parsed as it
 * is, and the reader says what is wrong with it (a quote never closed, most often). */
#define MAX_RECORD (64u << 20)

typedef struct
{
  const char    *name;
  GPtrArray     *header;
  int            columns[G_N_ELEMENTS (required_columns)];
  NcStoreImport *import;
  GPtrArray     *chunk;
  GCancellable  *cancellable;
  guint          rows;
} Stream;

static guint
count_quotes (const char *p,
              const char *end)
{
  guint quotes = 0;

  while (p < end && (p = memchr (p, '"', (gsize) (end - p))) != NULL)
    {
      quotes++;
      p++;
    }
  return quotes;
}

static const char *
last_newline (const char *data,
              const char *end)
{
  while (end > data)
    if (*--end == '\n')
      return end;
  return NULL;
}

/* How many bytes of @data, which begins at a record's start, are whole records: up to a
 * line break outside quotes (every quote opens or closes a quoted part, "" twice). */
static gsize
whole_records (const char *data,
               gsize       length)
{
  const char *nl = last_newline (data, data + length);
  guint quotes;

  if (nl == NULL)
    return 0;
  quotes = count_quotes (data, nl);
  while (quotes % 2 != 0)
    {
      const char *before = last_newline (data, nl);

      if (before == NULL)
        return 0;
      quotes -= count_quotes (before, nl);
      nl = before;
    }
  return (gsize) (nl - data) + 1;
}

static gboolean
flush_chunk (Stream  *stream,
             GError **error)
{
  if (stream->chunk->len == 0)
    return TRUE;
  if (!nc_store_import_add_sync (stream->import, g_steal_pointer (&stream->chunk), error))
    return FALSE;
  stream->chunk = g_ptr_array_new_with_free_func (g_object_unref);
  return TRUE;
}

/* The records of @data, whole ones from a record's start; @line: where it begins, then
 * where the next part does. */
static gboolean
parse_part (Stream      *stream,
            const char  *data,
            gsize        length,
            gboolean     first,
            guint       *line,
            GError     **error)
{
  g_autoptr(NcCsvReader) reader = first ? nc_csv_reader_new (data, length)
                                        : nc_csv_reader_new_part (data, length, *line);
  g_autoptr(GError) csv_error = NULL;

  for (;;)
    {
      g_autoptr(GPtrArray) fields = NULL;
      NcClient *draft;
      guint at = 0;

      if (!nc_csv_reader_next (reader, &fields, &at, &csv_error))
        {
          if (csv_error == NULL)
            break;
          set_line_error (error, stream->name, nc_csv_reader_get_error_line (reader),
                          csv_error->message);
          return FALSE;
        }

      if (stream->header == NULL)
        {
          if (!find_columns (stream->name, at, fields, stream->columns, error))
            return FALSE;
          stream->header = g_steal_pointer (&fields);
          continue;
        }

      /* An empty line between records is nothing. */
      if (fields->len == 1 && *(const char *) fields->pdata[0] == '\0')
        continue;

      if (++stream->rows % 256 == 0 &&
          g_cancellable_set_error_if_cancelled (stream->cancellable, error))
        return FALSE;
      draft = parse_row (stream->name, at, stream->header, stream->columns, fields, error);
      if (draft == NULL)
        return FALSE;
      g_ptr_array_add (stream->chunk, draft);
      if (stream->chunk->len >= nc_store_import_get_chunk_size (stream->import) &&
          !flush_chunk (stream, error))
        return FALSE;
    }

  *line = nc_csv_reader_get_line (reader);
  return TRUE;
}

/**
 * nc_client_csv_import_stream:
 * @name: the file's name, for the messages
 * @read: reads the next bytes of the file
 * @size: the file's size, for @progress (0: not known)
 * @progress: (nullable): the share of the file imported
 * @out_count: (out) (optional): how many clients were added
 *
 * Reads a file of clients a block at a time and adds them to @store a chunk at a time,
 * while the store's writer takes other jobs between the chunks; memory is that of a block
 * and two chunks, whatever the file's size. All or nothing: none of the clients is seen
 * until the whole file is in, and when a row is bad, the store fails or @cancellable is
 * cancelled, what was written is deleted (the error names @name and the line). From a
 * thread that may wait, never the main context.
 */
gboolean
nc_client_csv_import_stream (NcStore            *store,
                             const char         *name,
                             NcClientCsvReadFunc read,
                             gpointer            source,
                             guint64             size,
                             NcProgress         *progress,
                             GCancellable       *cancellable,
                             guint              *out_count,
                             GError            **error)
{
  g_autoptr(NcStoreImport) import = NULL;
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  g_autoptr(GPtrArray) header = NULL;
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func (g_object_unref);
  Stream stream = { name, NULL, { 0 }, NULL, NULL, cancellable, 0 };
  gboolean first = TRUE, end = FALSE, ok = TRUE;
  guint64 consumed = 0;
  gsize start = 0;
  guint line = 1;

  g_return_val_if_fail (NC_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL && read != NULL, FALSE);

  import = nc_store_import_begin_sync (store, error);
  if (import == NULL)
    return FALSE;
  stream.import = import;
  stream.chunk = g_steal_pointer (&chunk);

  while (ok && !end)
    {
      gsize had = buffer->len, whole;
      gssize n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }
      g_byte_array_set_size (buffer, (guint) (had + READ_BLOCK));
      n = read (source, (char *) buffer->data + had, READ_BLOCK, cancellable, error);
      if (n < 0)
        {
          ok = FALSE;
          break;
        }
      g_byte_array_set_size (buffer, (guint) (had + (gsize) n));
      end = n == 0;

      whole = end ? buffer->len - start
                  : whole_records ((const char *) buffer->data + start, buffer->len - start);
      if (whole == 0 && buffer->len - start > MAX_RECORD)
        whole = buffer->len - start;
      if (whole > 0 || (end && first))
        {
          ok = parse_part (&stream, (const char *) buffer->data + start, whole, first, &line,
                           error);
          first = FALSE;
          start += whole;
          consumed += whole;
        }

      /* What is parsed goes; the beginning of a record stays for the next block. */
      if (start > 0)
        {
          g_byte_array_remove_range (buffer, 0, (guint) start);
          start = 0;
        }
      if (progress != NULL && size > 0)
        nc_progress_set (progress, MIN (consumed, size), size);
    }

  header = g_steal_pointer (&stream.header);
  chunk = g_steal_pointer (&stream.chunk);
  if (ok && header == NULL)
    {
      set_line_error (error, name, 1,
                      _("the file is empty; it needs a header row with name, channel and phone"));
      ok = FALSE;
    }
  if (ok)
    {
      stream.chunk = g_steal_pointer (&chunk);
      ok = flush_chunk (&stream, error);
      chunk = g_steal_pointer (&stream.chunk);
    }
  /* Freeing an import that did not finish deletes what it wrote. */
  if (!ok || !nc_store_import_finish_sync (import, out_count, error))
    return FALSE;
  if (progress != NULL)
    nc_progress_set (progress, 1, 1);
  return TRUE;
}

static gssize
read_input_stream (gpointer      source,
                   char         *buffer,
                   gsize         size,
                   GCancellable *cancellable,
                   GError      **error)
{
  gsize got = 0;

  /* A whole block, unless the file ends: a pipe answers in small pieces. */
  if (!g_input_stream_read_all (source, buffer, size, &got, cancellable, error))
    return -1;
  return (gssize) got;
}

static void
import_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Transfer *transfer = task_data;
  g_autofree char *name = g_file_get_basename (transfer->file);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  guint64 size = 0;

  in = g_file_read (transfer->file, cancellable, &error);
  if (in == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, NULL);
  if (info != NULL)
    size = (guint64) g_file_info_get_size (info);

  if (!nc_client_csv_import_stream (transfer->store, name, read_input_stream, in, size,
                                    transfer->progress, cancellable, &transfer->count, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * nc_client_csv_import_async:
 * @progress: (nullable): the share of the file imported
 *
 * Reads @file off the main context and adds its clients to @store, a chunk at a time
 * (nc_client_csv_import_stream()): all, or, when a row is bad, the store fails or the
 * import is cancelled, none.
 */
void
nc_client_csv_import_async (NcStore             *store,
                            GFile               *file,
                            NcProgress          *progress,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NC_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  task = transfer_task_new (store, file, progress, nc_client_csv_import_async, cancellable,
                            callback, user_data);
  /* Cancelled or not, the thread ends what it began: it deletes what it wrote. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, import_in_thread);
}

/**
 * nc_client_csv_import_finish:
 * @out_count: (out) (optional): how many clients were added
 */
gboolean
nc_client_csv_import_finish (GAsyncResult  *result,
                             guint         *out_count,
                             GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_client_csv_import_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_count != NULL)
    *out_count = ((Transfer *) g_task_get_task_data (G_TASK (result)))->count;
  return TRUE;
}

/* Export ----------------------------------------------------------------------------- */

static void
export_in_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Transfer *transfer = task_data;
  GError *error = NULL;

  if (nc_client_csv_export_file_sync (transfer->store, transfer->file, transfer->progress,
                                      cancellable, &transfer->count, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/**
 * nc_client_csv_export_async:
 * @progress: (nullable): the share of the clients read and written
 *
 * Writes every client of @store to @file, off the main context.
 */
void
nc_client_csv_export_async (NcStore             *store,
                            GFile               *file,
                            NcProgress          *progress,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (NC_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (file));

  task = transfer_task_new (store, file, progress, nc_client_csv_export_async, cancellable,
                            callback, user_data);
  g_task_run_in_thread (task, export_in_thread);
}

/**
 * nc_client_csv_export_finish:
 * @out_count: (out) (optional): how many clients were written
 */
gboolean
nc_client_csv_export_finish (GAsyncResult  *result,
                             guint         *out_count,
                             GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == nc_client_csv_export_async,
                        FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_count != NULL)
    *out_count = ((Transfer *) g_task_get_task_data (G_TASK (result)))->count;
  return TRUE;
}
