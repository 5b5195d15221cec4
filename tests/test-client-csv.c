/* test-client-csv.c — clients to and from CSV files, off the main context, with progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <string.h>
#include <sys/stat.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "nc-client-csv.h"
#include "nc-store.h"
#include "nc-test-util.h"

typedef struct
{
  char    *dir;
  NcStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->store = nc_test_store_new (&fixture->dir);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  nc_test_store_free (fixture->store, fixture->dir);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static GFile *
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static guint
count_clients (NcStore *store)
{
  g_autoptr(GPtrArray) clients = nc_store_list_clients_sync (store, FALSE, NULL);

  return clients->len;
}

/* A file in, every client and variable there, the bar full; out again, the same text. */
static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  static const char csv[] =
    "name,channel,phone,city\r\n"
    "Anna Petrova,telephony,+7 (912) 345-67-89,Perm\r\n"
    "\"Ivanov, Oleg\",whatsapp,,\r\n";
  g_autoptr(GFile) in = write_file (fixture, "in.csv", csv);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(NcProgress) progress = nc_progress_new ();
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GAsyncResult) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  guint count = 0;

  nc_client_csv_import_async (fixture->store, in, progress, NULL, got_result, &imported);
  g_assert_true (nc_client_csv_import_finish (wait_for (&imported), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_cmpfloat (nc_progress_get_fraction (progress), ==, 1.0);
  g_assert_cmpuint (count_clients (fixture->store), ==, 2);

  nc_client_csv_export_async (fixture->store, out, NULL, NULL, got_result, &exported);
  g_assert_true (nc_client_csv_export_finish (wait_for (&exported), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  g_assert_cmpstr (written, ==,
                   "name,channel,phone,city\r\n"
                   "Anna Petrova,telephony,79123456789,Perm\r\n"
                   "\"Ivanov, Oleg\",whatsapp,,\r\n");
}

/* More clients than an export reads at a time, with a variable that first appears after
 * the first page and one that only an early client has: every client once, in order, every
 * column where the clients first have it, and the progress full. */
static void
test_export_in_pages (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("name,channel,phone,city,late\r\n");
  g_autoptr(GFile) in = NULL;
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(NcProgress) progress = nc_progress_new ();
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GAsyncResult) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;
  g_auto(GStrv) lines = NULL;
  const guint n = 2600;
  guint count = 0;

  for (guint i = 0; i < n; i++)
    g_string_append_printf (csv, "Client %04u,telephony,+7 900 %07u,%s,%s\r\n", i, i,
                            i == 3 ? "Perm" : "", i >= 1500 && i % 7 == 0 ? "yes" : "");
  in = write_file (fixture, "in.csv", csv->str);
  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_true (nc_client_csv_import_finish (wait_for (&imported), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n);

  nc_client_csv_export_async (fixture->store, out, progress, NULL, got_result, &exported);
  g_assert_true (nc_client_csv_export_finish (wait_for (&exported), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, n);
  g_assert_cmpfloat (nc_progress_get_fraction (progress), ==, 1.0);
  g_assert_true (g_file_get_contents (out_path, &written, NULL, NULL));
  lines = g_strsplit (written, "\r\n", -1);
  /* The header, a line a client, and the empty string after the last line break. */
  g_assert_cmpuint (g_strv_length (lines), ==, n + 2);
  g_assert_cmpstr (lines[0], ==, "name,channel,phone,city,late");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *expected = g_strdup_printf ("Client %04u,telephony,7900%07u,%s,%s", i, i,
                                                   i == 3 ? "Perm" : "",
                                                   i >= 1500 && i % 7 == 0 ? "yes" : "");

      g_assert_cmpstr (lines[i + 1], ==, expected);
    }
  g_assert_cmpstr (lines[n + 1], ==, "");
}

/* A bad row anywhere: the error names the file and the line, and nothing is added. */
static void
test_bad_row_adds_nothing (Fixture       *fixture,
                           gconstpointer  data)
{
  static const char csv[] =
    "name,channel,phone\n"
    "Anna,telephony,79123456789\n"
    "Boris,telephony,12\n";
  g_autoptr(GFile) in = write_file (fixture, "clients.csv", csv);
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GError) error = NULL;

  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_false (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_error (error, NC_CLIENT_CSV_ERROR, NC_CLIENT_CSV_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "clients.csv:3: "));
  g_assert_cmpuint (count_clients (fixture->store), ==, 0);
}

static void
test_missing_file (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "none.csv", NULL);
  g_autoptr(GFile) in = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GError) error = NULL;

  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_false (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

/* Export into a folder that is not there: an error, and no file. */
static void
test_export_unwritable (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "no", "such", "out.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) exported = NULL;
  g_autoptr(GError) error = NULL;

  nc_client_csv_export_async (fixture->store, out, NULL, NULL, got_result, &exported);
  g_assert_false (nc_client_csv_export_finish (wait_for (&exported), NULL, &error));
  g_assert_nonnull (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

static void
assert_refused (const char *csv,
                gsize       length,
                const char *starts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) drafts = nc_client_csv_parse ("in.csv", csv,
                                                     length == (gsize) -1 ? strlen (csv) : length,
                                                     NULL, &error);

  g_assert_null (drafts);
  g_assert_error (error, NC_CLIENT_CSV_ERROR, NC_CLIENT_CSV_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, starts));
}

/* A NUL byte or a control character anywhere is refused with its line, never cut short
 * or taken in; a tab and a line break in a quoted cell are text. */
static void
test_nul_and_control_refused (void)
{
  static const char nul_in_phone[] = "name,channel,phone\nA,telephony,79001112233\0evil\n";
  static const char nul_in_note[] = "name,channel,phone,note\nA,telephony,,\"one\ntwo\0\"\n";
  static const char fine[] = "name,channel,phone,note\n\"Anna\tPetrova\",telephony,,\"one\r\ntwo\"\n";
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;

  assert_refused (nul_in_phone, sizeof nul_in_phone - 1, "in.csv:2: the text has a NUL byte");
  assert_refused (nul_in_note, sizeof nul_in_note - 1, "in.csv:3: the text has a NUL byte");
  assert_refused ("name,channel,phone\nA,telephony,\nEvil\x1b[2J,telephony,\n", (gsize) -1,
                  "in.csv:3: the name has a control character");
  assert_refused ("name,channel,phone,note\nA,telephony,,ring\x07\n", (gsize) -1,
                  "in.csv:2: the value of “note” has a control character");
  assert_refused ("name,channel,phone,\"no\x7fte\"\n", (gsize) -1,
                  "in.csv:1: the name of column 4 has a control character");
  /* C1 controls too, written in UTF-8. */
  assert_refused ("name,channel,phone\nA\xc2\x9b" "31m,telephony,\n", (gsize) -1,
                  "in.csv:2: the name has a control character");

  drafts = nc_client_csv_parse ("in.csv", fine, sizeof fine - 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (drafts->len, ==, 1);
  g_assert_cmpstr (nc_client_get_name (drafts->pdata[0]), ==, "Anna\tPetrova");
  g_assert_cmpstr (nc_client_get_variable (drafts->pdata[0], "note"), ==, "one\r\ntwo");
}

/* Every cell has a size limit; a name of 50 MB is refused at once, and nothing imported. */
static void
test_sizes_capped (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GString) csv = g_string_new ("name,channel,phone,note\n");
  g_autoptr(GPtrArray) drafts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) in = NULL;
  g_autoptr(GAsyncResult) imported = NULL;
  gint64 started;

  /* At the limit: taken. */
  for (guint i = 0; i < NC_CLIENT_CSV_MAX_NAME; i++)
    g_string_append (csv, "Я");
  g_string_append (csv, ",telephony,,");
  for (guint i = 0; i < NC_CLIENT_CSV_MAX_VALUE; i++)
    g_string_append_c (csv, 'n');
  g_string_append_c (csv, '\n');
  drafts = nc_client_csv_parse ("in.csv", csv->str, csv->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_utf8_strlen (nc_client_get_name (drafts->pdata[0]), -1), ==,
                    NC_CLIENT_CSV_MAX_NAME);

  /* One more: refused, with the line. */
  g_string_insert (csv, strlen ("name,channel,phone,note\n"), "Я");
  assert_refused (csv->str, csv->len, "in.csv:2: the name is longer than 256 characters");
  g_string_truncate (csv, csv->len - 1);
  g_string_append (csv, "n\n");
  g_string_erase (csv, strlen ("name,channel,phone,note\n"), strlen ("Я"));
  assert_refused (csv->str, csv->len,
                  "in.csv:2: the value of “note” is longer than 4096 characters");

  /* 50 MB of a name, through the import: refused, quickly, and the store untouched. */
  g_string_assign (csv, "name,channel,phone\nAnna,telephony,\n");
  g_string_set_size (csv, csv->len + 50 * 1024 * 1024);
  memset (csv->str + strlen ("name,channel,phone\nAnna,telephony,\n"), 'x', 50 * 1024 * 1024);
  g_string_append (csv, ",telephony,79001112233\n");
  in = write_file (fixture, "huge.csv", csv->str);
  started = g_get_monotonic_time ();
  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_false (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_true (g_str_has_prefix (error->message, "huge.csv:3: the name is longer than"));
  g_test_message ("refused in %.1f s", (g_get_monotonic_time () - started) / 1e6);
  g_assert_cmpuint (count_clients (fixture->store), ==, 0);
}

/* Names and variables that a spreadsheet would run as formulas: exported with a ' in
 * front, the file readable by its owner only; imported again, every value as it was. */
static void
test_formulas_round_trip (Fixture       *fixture,
                          gconstpointer  data)
{
  static const char csv[] =
    "name,channel,phone,=note,site\r\n"
    "\"=HYPERLINK(\"\"http://evil.example\"\",\"\"Click\"\")\",telephony,,+1 call back,'=kept\r\n"
    "@SUM(A1),telegram,,-2,=cmd|' /C calc'!A0\r\n";
  g_autoptr(GFile) in = write_file (fixture, "in.csv", csv);
  g_autofree char *out_path = g_build_filename (fixture->dir, "out.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GAsyncResult) exported = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autofree char *written = NULL;
  gsize length = 0;
  GStatBuf st;

  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_true (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_no_error (error);

  /* A ' before a formula's first character is what an export puts there: the import
   * takes it off. */
  clients = nc_store_list_clients_sync (fixture->store, TRUE, &error);
  g_assert_cmpuint (clients->len, ==, 2);
  for (guint i = 0; i < clients->len; i++)
    if (g_str_equal (nc_client_get_name (clients->pdata[i]), "@SUM(A1)"))
      g_assert_cmpstr (nc_client_get_variable (clients->pdata[i], "site"), ==,
                       "=cmd|' /C calc'!A0");
    else
      g_assert_cmpstr (nc_client_get_variable (clients->pdata[i], "site"), ==, "=kept");

  /* An old export in the way, readable by all: replaced by one that is not. */
  g_assert_true (g_file_set_contents (out_path, "old", -1, NULL));
  g_assert_cmpint (g_chmod (out_path, 0644), ==, 0);
  nc_client_csv_export_async (fixture->store, out, NULL, NULL, got_result, &exported);
  g_assert_true (nc_client_csv_export_finish (wait_for (&exported), NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (out_path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  g_assert_true (g_file_get_contents (out_path, &written, &length, NULL));
  g_test_message ("%s", written);
  g_assert_nonnull (strstr (written, "name,channel,phone,'=note,site\r\n"));
  g_assert_nonnull (strstr (written, "\"'=HYPERLINK("));
  g_assert_nonnull (strstr (written, ",'+1 call back,'=kept\r\n"));
  g_assert_nonnull (strstr (written, "'@SUM(A1),telegram,,'-2,'=cmd|' /C calc'!A0\r\n"));

  again = nc_client_csv_parse ("out.csv", written, length, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 2);
  for (guint i = 0; i < again->len; i++)
    {
      NcClient *before = NULL;

      for (guint j = 0; j < clients->len; j++)
        if (g_str_equal (nc_client_get_name (clients->pdata[j]), nc_client_get_name (again->pdata[i])))
          before = clients->pdata[j];
      g_assert_nonnull (before);
      g_assert_cmpstr (nc_client_get_variable (again->pdata[i], "=note"), ==,
                       nc_client_get_variable (before, "=note"));
      g_assert_cmpstr (nc_client_get_variable (again->pdata[i], "site"), ==,
                       nc_client_get_variable (before, "site"));
    }
}

/* Progress stages: each fills its share of the bar, and only forwards. */
static void
test_progress_stages (void)
{
  g_autoptr(NcProgress) progress = nc_progress_new ();

  g_assert_cmpfloat (nc_progress_get_fraction (progress), ==, 0.0);
  nc_progress_set_stage (progress, 0.0, 0.3);
  nc_progress_set (progress, 1, 2);
  g_assert_cmpfloat_with_epsilon (nc_progress_get_fraction (progress), 0.15, 1e-9);
  nc_progress_set_stage (progress, 0.3, 1.0);
  g_assert_cmpfloat_with_epsilon (nc_progress_get_fraction (progress), 0.3, 1e-9);
  nc_progress_set (progress, 5, 10);
  g_assert_cmpfloat_with_epsilon (nc_progress_get_fraction (progress), 0.65, 1e-9);
  nc_progress_set (progress, 0, 0);
  g_assert_cmpfloat (nc_progress_get_fraction (progress), ==, 1.0);
}

/* The window's edits: update, then delete, off the main context; a gone client is an error. */
static void
test_update_delete_async (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(NcClient) edited = NULL;
  g_autoptr(NcClient) read = NULL;
  g_autoptr(GAsyncResult) updated = NULL;
  g_autoptr(GAsyncResult) deleted = NULL;
  g_autoptr(GAsyncResult) deleted_again = NULL;
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *variables = g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free);
  g_autoptr(GArray) found = NULL;

  g_ptr_array_add (drafts, nc_client_new (0, "Anna", NC_CHANNEL_TELEPHONY, "79123456789", 0));
  nc_store_add_clients_async (fixture->store, drafts, NULL, NULL, got_result, &added);
  ids = nc_store_add_clients_finish (fixture->store, wait_for (&added), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);

  edited = nc_client_new (g_array_index (ids, gint64, 0), "Anna Petrova", NC_CHANNEL_WHATSAPP,
                          "79991112233", 0);
  g_ptr_array_add (variables, nc_variable_new ("city", "Perm"));
  nc_client_take_variables (edited, variables);
  nc_store_update_client_async (fixture->store, edited, NULL, got_result, &updated);
  g_assert_true (nc_store_update_client_finish (fixture->store, wait_for (&updated), &error));
  g_assert_no_error (error);

  read = nc_store_get_client_sync (fixture->store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (nc_client_get_name (read), ==, "Anna Petrova");
  g_assert_cmpint (nc_client_get_channel (read), ==, NC_CHANNEL_WHATSAPP);
  g_assert_cmpstr (nc_client_get_phone (read), ==, "79991112233");
  g_assert_cmpstr (nc_client_get_variable (read, "city"), ==, "Perm");
  /* The search index follows the edit: the new number is found, the old one is not. */
  found = nc_store_search_clients_sync (fixture->store, "1112233", 10, &error);
  g_assert_cmpuint (found->len, ==, 1);
  g_clear_pointer (&found, g_array_unref);
  found = nc_store_search_clients_sync (fixture->store, "3456789", 10, &error);
  g_assert_cmpuint (found->len, ==, 0);

  nc_store_delete_client_async (fixture->store, g_array_index (ids, gint64, 0), NULL, got_result,
                                &deleted);
  g_assert_true (nc_store_delete_client_finish (fixture->store, wait_for (&deleted), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_clients (fixture->store), ==, 0);

  nc_store_delete_client_async (fixture->store, g_array_index (ids, gint64, 0), NULL, got_result,
                                &deleted_again);
  g_assert_false (nc_store_delete_client_finish (fixture->store, wait_for (&deleted_again),
                                                 &error));
  g_assert_error (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND);
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* An import stopped half-way through the writing leaves nothing behind. */
static void
test_cancel_while_writing (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NcProgress) progress = nc_progress_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) added = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  guint waker = g_timeout_add (1, wake, NULL);

  for (guint i = 0; i < 200000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Client %u", i);

      g_ptr_array_add (drafts, nc_client_new (0, name, NC_CHANNEL_WHATSAPP, NULL, 0));
    }
  nc_store_add_clients_async (fixture->store, drafts, progress, cancellable, got_result, &added);
  while (added == NULL && nc_progress_get_fraction (progress) == 0.0)
    g_main_context_iteration (NULL, TRUE);
  g_cancellable_cancel (cancellable);
  g_source_remove (waker);

  ids = nc_store_add_clients_finish (fixture->store, wait_for (&added), &error);
  g_assert_null (ids);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (count_clients (fixture->store), ==, 0);
}

/* A file of more than a few read blocks and many chunks, with quoted cells that hold
 * line breaks and quotes; the one of row LONG_ROW, of many lines, spans the end of the
 * first block of the import's reads (1 MiB), so that a cut at a line break inside quotes
 * would break it. @bad_line: a line that is bad (0: none). */
#define BIG_ROWS 24000
#define LONG_ROW 8612

static char *
long_note (void)
{
  GString *note = g_string_new (NULL);

  for (guint i = 0; i < 80; i++)
    g_string_append_printf (note, "line %02u of a long \"note\", with commas\n", i);
  return g_string_free (note, FALSE);
}

static GFile *
write_big_file (Fixture    *fixture,
                const char *name,
                guint       bad_line)
{
  g_autoptr(GString) csv = g_string_new ("name,channel,phone,city,note,mobile\n");
  g_autofree char *note = long_note ();
  g_autofree char *quoted = NULL;
  guint line = 2;
  gsize long_at = 0;

  {
    g_auto(GStrv) parts = g_strsplit (note, "\"", -1);
    g_autofree char *doubled = g_strjoinv ("\"\"", parts);

    quoted = g_strconcat ("\"", doubled, "\"", NULL);
  }
  for (guint i = 0; i < BIG_ROWS; i++)
    {
      gsize before = csv->len;

      if (line == bad_line)
        g_string_append_printf (csv, "Bad %u,fax,79000000000,,,\n", i);
      else if (i == LONG_ROW)
        {
          long_at = csv->len;
          g_string_append_printf (csv, "Client %05u,telephony,7900%07u,City,%s,\n", i, i, quoted);
        }
      else if (i % 97 == 0)
        g_string_append_printf (csv, "Client %05u,telephony,7900%07u,City %u,"
                                     "\"first line\nsecond, \"\"quoted\"\" %u\",\n",
                                i, i, i % 100, i);
      else
        g_string_append_printf (csv, "Client %05u,telephony,7900%07u,City %u,a note of some "
                                     "length to make the file longer than a few blocks,"
                                     "+7 916 %07u\n", i, i, i % 100, i);
      for (gsize k = before; k < csv->len; k++)
        line += csv->str[k] == '\n';
    }
  /* The test means something only if the long row spans the first block's end. */
  g_assert_cmpuint (long_at, <, 1 << 20);
  g_assert_cmpuint (long_at + strlen (quoted), >, 1 << 20);
  return write_file (fixture, name, csv->str);
}

static int
raw_count (Fixture    *fixture,
           const char *table)
{
  g_autofree char *path = g_build_filename (fixture->dir, NC_STORE_FILE_NAME, NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return count;
}

static void
assert_nothing_left (Fixture *fixture)
{
  g_assert_cmpuint (count_clients (fixture->store), ==, 0);
  g_assert_cmpint (raw_count (fixture, "clients"), ==, 0);
  g_assert_cmpint (raw_count (fixture, "client_variables"), ==, 0);
  g_assert_cmpint (raw_count (fixture, "client_phones"), ==, 0);
  g_assert_cmpint (raw_count (fixture, "client_search"), ==, 0);
  g_assert_cmpint (raw_count (fixture, "imports"), ==, 0);
}

/* A streamed file: every record whole, the ones with line breaks and quotes too. */
static void
test_big_file_streamed (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GFile) in = write_big_file (fixture, "big.csv", 0);
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GPtrArray) clients = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *long_text = long_note ();
  guint count = 0, multiline = 0;

  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_true (nc_client_csv_import_finish (wait_for (&imported), &count, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, BIG_ROWS);

  clients = nc_store_list_clients_sync (fixture->store, TRUE, &error);
  g_assert_cmpuint (clients->len, ==, BIG_ROWS);
  for (guint i = 0; i < clients->len; i++)
    {
      g_autofree char *name = g_strdup_printf ("Client %05u", i);
      g_autofree char *note = g_strdup_printf ("first line\nsecond, \"quoted\" %u", i);
      const char *got = nc_client_get_variable (clients->pdata[i], "note");

      g_assert_cmpstr (nc_client_get_name (clients->pdata[i]), ==, name);
      if (i == LONG_ROW)
        g_assert_cmpstr (got, ==, long_text);
      else if (i % 97 == 0)
        {
          g_assert_cmpstr (got, ==, note);
          multiline++;
        }
    }
  g_assert_cmpuint (multiline, ==, (BIG_ROWS + 96) / 97 - (LONG_ROW % 97 == 0));
}

/* A bad row near the end of a long file: named by its line, and nothing of the chunks
 * written before it is left or was ever seen. */
static void
test_big_file_bad_late (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GFile) in = write_big_file (fixture, "late.csv", 24100);
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GError) error = NULL;

  nc_client_csv_import_async (fixture->store, in, NULL, NULL, got_result, &imported);
  g_assert_false (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_error (error, NC_CLIENT_CSV_ERROR, NC_CLIENT_CSV_ERROR_INVALID);
  g_assert_true (g_str_has_prefix (error->message, "late.csv:24100: unknown channel “fax”"));
  assert_nothing_left (fixture);
}

/* Cancelled half-way through a long file: nothing left. */
static void
test_big_file_cancelled (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GFile) in = write_big_file (fixture, "cancel.csv", 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(NcProgress) progress = nc_progress_new ();
  g_autoptr(GAsyncResult) imported = NULL;
  g_autoptr(GError) error = NULL;

  nc_client_csv_import_async (fixture->store, in, progress, cancellable, got_result, &imported);
  /* Until some of the file is in: clients written, the import not done. */
  while (imported == NULL && nc_progress_get_fraction (progress) < 0.5)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_null (imported);
  g_cancellable_cancel (cancellable);
  g_assert_false (nc_client_csv_import_finish (wait_for (&imported), NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_nothing_left (fixture);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/client-csv/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_round_trip);
  ADD ("bad-row-adds-nothing", test_bad_row_adds_nothing);
  ADD ("missing-file", test_missing_file);
  ADD ("export-unwritable", test_export_unwritable);
  ADD ("export-in-pages", test_export_in_pages);
  ADD ("update-delete-async", test_update_delete_async);
  ADD ("cancel-while-writing", test_cancel_while_writing);
  ADD ("sizes-capped", test_sizes_capped);
  ADD ("formulas-round-trip", test_formulas_round_trip);
  ADD ("big-file-streamed", test_big_file_streamed);
  ADD ("big-file-bad-late", test_big_file_bad_late);
  ADD ("big-file-cancelled", test_big_file_cancelled);
#undef ADD
  g_test_add_func ("/client-csv/progress-stages", test_progress_stages);
  g_test_add_func ("/client-csv/nul-and-control-refused", test_nul_and_control_refused);

  return nc_test_run ();
}
