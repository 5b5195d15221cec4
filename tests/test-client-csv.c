/* test-client-csv.c — clients to and from CSV files, off the main context, with progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <glib/gstdio.h>

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
  ADD ("update-delete-async", test_update_delete_async);
  ADD ("cancel-while-writing", test_cancel_while_writing);
#undef ADD
  g_test_add_func ("/client-csv/progress-stages", test_progress_stages);

  return nc_test_run ();
}
