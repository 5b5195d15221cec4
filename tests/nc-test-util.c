/* nc-test-util.c — what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define _GNU_SOURCE   /* memmem() */

#include "config.h"

#include <stdarg.h>

#include <signal.h>
#include <unistd.h>
#include <string.h>
#include <sqlite3.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "nc-cli.h"
#include "nc-test-util.h"
#include "nc-zadarma-sign.h"

#include <libpq-fe.h>

/* A file of ../shared (the signature vectors, say), found through NC_SHARED_DIR. */
char *
nc_test_shared_path (const char *relative)
{
  const char *dir = g_getenv ("NC_SHARED_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, relative, NULL);
}

char *
nc_test_make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("nc-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

void
nc_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          nc_test_remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

/* Objects handed to tasks are let go on the main context a moment after the answer. */
void
nc_test_wait_for_last_reference (gpointer object)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (G_OBJECT (object)->ref_count > 1 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

/* Everything written to @stream (a tmpfile() a command wrote to), which is closed. */
char *
nc_test_read_stream (FILE *stream)
{
  GString *text = g_string_new (NULL);
  char buffer[4096];
  size_t n;

  rewind (stream);
  while ((n = fread (buffer, 1, sizeof buffer, stream)) > 0)
    g_string_append_len (text, buffer, (gssize) n);
  fclose (stream);
  return g_string_free (text, FALSE);
}

static guint
count_pool_workers (void)
{
  g_autoptr(GDir) tasks = g_dir_open ("/proc/self/task", 0, NULL);
  const char *task;
  guint workers = 0;

  if (tasks == NULL)
    return 0;
  while ((task = g_dir_read_name (tasks)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/task", task, "comm", NULL);
      g_autofree char *name = NULL;

      if (g_file_get_contents (path, &name, NULL, NULL) &&
          g_str_has_prefix (name, "pool") && !g_str_has_prefix (name, "pool-spawner"))
        workers++;
    }
  return workers;
}

/* g_test_run(), then the shared thread pool's workers are let go and waited for.
 *
 * A worker that ran a task lingers half a second on its pool's queue before it parks as
 * unused; one still there when the process exits can be caught half torn down by
 * LeakSanitizer's tracer, which then crashes on its dynamic TLS ("Tracer caught signal
 * 11"). So every test program ends with no worker left. */
int
nc_test_run (void)
{
  int status = g_test_run ();
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  g_thread_pool_set_max_unused_threads (0);
  while (count_pool_workers () > 0 && g_get_monotonic_time () < deadline)
    {
      g_thread_pool_stop_unused_threads ();
      g_usleep (20 * 1000);
    }
  return status;
}

/* A store of its own in a new temporary folder, for one test. */
NcStore *
nc_test_store_new (char **out_dir)
{
  g_autoptr(GError) error = NULL;
  NcStore *store;

  *out_dir = nc_test_make_temp_dir ();
  store = nc_store_open_sync (*out_dir, &error);
  g_assert_no_error (error);
  return store;
}

/* Lets go of the test's store (which nothing else may keep) and removes its folder. */
void
nc_test_store_free (NcStore *store,
                    char    *dir)
{
  nc_test_wait_for_last_reference (store);
  g_assert_finalize_object (store);
  nc_test_remove_tree (dir);
  g_free (dir);
}

/* A file system of @kib KiB mounted on @dir, for tests that fill a disk; FALSE where this
 * machine does not let a test mount a tmpfs (that needs root). */
gboolean
nc_test_mount_small_disk (const char *dir,
                          guint       kib)
{
  g_autofree char *command = g_strdup_printf ("mount -t tmpfs -o size=%uk tmpfs %s", kib, dir);
  int wait_status = 0;

  return g_spawn_command_line_sync (command, NULL, NULL, &wait_status, NULL) &&
         g_spawn_check_wait_status (wait_status, NULL);
}

void
nc_test_unmount_small_disk (const char *dir)
{
  g_autofree char *command = g_strdup_printf ("umount %s", dir);
  int wait_status = 0;

  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, &wait_status, NULL));
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
}

static gboolean
wake (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/**
 * nc_test_wait_until:
 * @done: what the test waits for
 * @data: given to @done
 * @seconds: the bound: generous, since a loaded machine is slow, not wrong
 *
 * Runs the main loop until @done says so, for at most @seconds. A timeout wakes the loop
 * every 20 ms, so that a condition no source announces (a file another process writes) is
 * looked at too.
 *
 * Returns: what @done says at the end; the caller asserts it
 */
gboolean
nc_test_wait_until (NcTestCondition done,
                    gpointer        data,
                    guint           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint waker = g_timeout_add (20, wake, NULL);

  while (!done (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (waker);
  return done (data);
}

/**
 * nc_test_install_fake_softphone:
 * @home: the test's own folder
 *
 * Makes `data` and `config` in @home the test's XDG_DATA_HOME and XDG_CONFIG_HOME, and
 * installs there a softphone of the test's own as the handler of tel: URIs: a script that
 * writes down the URI it was given. Call it first in main(): GLib reads the XDG folders
 * once and for all.
 *
 * Returns: (transfer full): the file the softphone writes the URI to
 */
char *
nc_test_install_fake_softphone (const char *home)
{
  g_autofree char *apps = g_build_filename (home, "data", "applications", NULL);
  g_autofree char *config = g_build_filename (home, "config", NULL);
  g_autofree char *script = g_build_filename (home, "fake-softphone", NULL);
  g_autofree char *desktop = g_build_filename (apps, "nc-fake-softphone.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (config, "mimeapps.list", NULL);
  g_autofree char *script_text = NULL;
  g_autofree char *desktop_text = NULL;
  g_autofree char *data = g_build_filename (home, "data", NULL);
  char *record = g_build_filename (home, "softphone-called", NULL);

  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_assert_cmpint (g_mkdir_with_parents (apps, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (config, 0700), ==, 0);
  /* Written aside and moved, so that the test never reads half a line. */
  script_text = g_strdup_printf ("#!/bin/sh\n"
                                 "printf '%%s\\n' \"$1\" > '%s.tmp' && mv '%s.tmp' '%s'\n",
                                 record, record, record);
  g_assert_true (g_file_set_contents (script, script_text, -1, NULL));
  g_assert_cmpint (g_chmod (script, 0700), ==, 0);
  desktop_text = g_strdup_printf ("[Desktop Entry]\nType=Application\nName=Fake Softphone\n"
                                  "Exec=%s %%u\nMimeType=x-scheme-handler/tel;\n"
                                  "NoDisplay=true\n", script);
  g_assert_true (g_file_set_contents (desktop, desktop_text, -1, NULL));
  g_assert_true (g_file_set_contents (mimeapps,
                                      "[Default Applications]\n"
                                      "x-scheme-handler/tel=nc-fake-softphone.desktop\n", -1,
                                      NULL));
  return record;
}

/* Turns the main context until an answer lands in *@location, within a generous bound. */
void
nc_test_wait_for_nonnull (gpointer *location)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (*location == NULL && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_nonnull (*location);
}

/* The program of this build, as the tests run it. */
char *
nc_test_program_path (void)
{
  const char *root = g_getenv ("NC_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "src", "novofon-console", NULL);
}

/* A loopback port that was free a moment ago. */
guint
nc_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/**
 * nc_test_find_in_tree:
 * @out_files: (optional): how many files were read
 *
 * Reads every regular file under @dir, byte for byte, whatever it holds (a database and its
 * journal, settings, logs, exports).
 *
 * Returns: (transfer full) (nullable): the first file that holds @needle, or %NULL
 */
char *
nc_test_find_in_tree (const char *dir,
                      const char *needle,
                      guint      *out_files)
{
  g_autoptr(GDir) folder = g_dir_open (dir, 0, NULL);
  gsize needle_len = strlen (needle);
  const char *name;

  g_assert_cmpuint (needle_len, >, 0);
  if (folder == NULL)
    return NULL;
  while ((name = g_dir_read_name (folder)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          char *found = nc_test_find_in_tree (path, needle, out_files);

          if (found != NULL)
            return found;
          continue;
        }
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR) ||
          !g_file_get_contents (path, &contents, &length, NULL))
        continue;
      if (out_files != NULL)
        (*out_files)++;
      if (length >= needle_len && memmem (contents, length, needle, needle_len) != NULL)
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* @needle is in none of @texts (what commands printed, say) and in no file under @dir. */
void
nc_test_assert_nowhere (const char        *needle,
                        const char        *dir,
                        const char *const *texts)
{
  g_autofree char *file = NULL;

  for (guint i = 0; texts != NULL && texts[i] != NULL; i++)
    if (strstr (texts[i], needle) != NULL)
      g_error ("“%s” is in what was said:\n%s", needle, texts[i]);
  if (dir != NULL && (file = nc_test_find_in_tree (dir, needle, NULL)) != NULL)
    g_error ("“%s” is in the file %s", needle, file);
}

/* Whether the session bus has a Secret Service (tests/harness/session-run starts one). */
gboolean
nc_test_keyring_on_bus (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  return has_owner;
}

static void
listener_spliced (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  NcTestListener *listener = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  listener->reading--;
}

/**
 * nc_test_listener_start:
 * @launcher: its environment (credentials, token, API URL) and G_SUBPROCESS_FLAGS_NONE
 * @args: what follows the program's name, `listen` and its options included
 *
 * Starts `novofon-console ARGS…` and returns once it announced the address it listens at:
 * everything it says is kept (nc_test_listener_said()) while the main context turns.
 */
NcTestListener *
nc_test_listener_start (GSubprocessLauncher *launcher,
                        const char *const   *args)
{
  g_autofree char *program = nc_test_program_path ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) err = NULL;
  g_autoptr(GError) error = NULL;
  NcTestListener *listener = g_new0 (NcTestListener, 1);
  const char *marker = "events at ";

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_ptr_array_add (argv, program);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  listener->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                    &error);
  g_assert_no_error (error);
  listener->out = g_memory_output_stream_new_resizable ();
  listener->err = g_memory_output_stream_new_resizable ();

  /* Whatever it says before the announcement is kept too. */
  err = g_data_input_stream_new (g_subprocess_get_stderr_pipe (listener->process));
  while (listener->url == NULL)
    {
      gsize length = 0;
      g_autofree char *line = g_data_input_stream_read_line_utf8 (err, &length, NULL, &error);
      const char *at;

      g_assert_no_error (error);
      if (line == NULL)
        {
          g_autofree char *said = nc_test_listener_said (listener, TRUE);

          g_error ("listen ended before it announced its address; it said:\n%s", said);
        }
      g_output_stream_write_all (listener->err, line, length, NULL, NULL, NULL);
      g_output_stream_write_all (listener->err, "\n", 1, NULL, NULL, NULL);
      if (g_str_has_prefix (line, "Listening") && (at = strstr (line, marker)) != NULL)
        listener->url = g_strdup (at + strlen (marker));
    }

  listener->reading = 2;
  g_output_stream_splice_async (listener->out, g_subprocess_get_stdout_pipe (listener->process),
                                G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL,
                                listener_spliced, listener);
  g_output_stream_splice_async (listener->err, G_INPUT_STREAM (err),
                                G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL,
                                listener_spliced, listener);
  return listener;
}

/* What the listener said so far on its standard @err or output. */
char *
nc_test_listener_said (NcTestListener *listener,
                       gboolean        err)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (err ? listener->err : listener->out);
  gsize size;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  size = g_memory_output_stream_get_data_size (memory);
  return size > 0 ? g_strndup (g_memory_output_stream_get_data (memory), size) : g_strdup ("");
}

/* Until @listener has ended and everything it said is read. */
static void
listener_wait (NcTestListener *listener)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while ((listener->reading > 0 || g_subprocess_get_identifier (listener->process) != NULL) &&
         g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (listener->reading, ==, 0);
  g_assert_null (g_subprocess_get_identifier (listener->process));
}

static void
listener_free (NcTestListener *listener)
{
  g_object_unref (listener->process);
  g_object_unref (listener->out);
  g_object_unref (listener->err);
  g_free (listener->url);
  g_free (listener);
}

/**
 * nc_test_listener_stop:
 * @out_said: (out) (optional): all it wrote to its standard output
 * @err_said: (out) (optional): all it wrote to its standard error
 *
 * Stops the listener as an init system would (SIGTERM), waits for it within a generous
 * bound, and frees @listener. A listener that crashed fails the test here.
 *
 * Returns: its exit status
 */
int
nc_test_listener_stop (NcTestListener  *listener,
                       char           **out_said,
                       char           **err_said)
{
  int status;

  g_subprocess_send_signal (listener->process, SIGTERM);
  listener_wait (listener);
  if (!g_subprocess_get_if_exited (listener->process))
    {
      g_autofree char *said = nc_test_listener_said (listener, TRUE);

      g_error ("listen did not exit (signal %d); it said:\n%s",
               g_subprocess_get_term_sig (listener->process), said);
    }
  status = g_subprocess_get_exit_status (listener->process);

  if (out_said != NULL)
    *out_said = nc_test_listener_said (listener, FALSE);
  if (err_said != NULL)
    *err_said = nc_test_listener_said (listener, TRUE);
  listener_free (listener);
  return status;
}

/**
 * nc_test_listener_kill:
 *
 * Kills the listener as a crash would (SIGKILL), waits for it as nc_test_listener_stop()
 * does, and frees @listener.
 */
void
nc_test_listener_kill (NcTestListener *listener)
{
  g_subprocess_send_signal (listener->process, SIGKILL);
  listener_wait (listener);
  g_assert_true (g_subprocess_get_if_signaled (listener->process));
  listener_free (listener);
}

/* ------------------------------------------------------------------------------------ */
/* Webhook events                                                                        */

static GHashTable *
fields_valist (const char *first_name,
               va_list     args)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (const char *name = first_name; name != NULL; name = va_arg (args, const char *))
    g_hash_table_insert (fields, g_strdup (name), g_strdup (va_arg (args, const char *)));
  return fields;
}

/**
 * nc_test_fields:
 *
 * Returns: (transfer full): a table of the name/value pairs given, %NULL-terminated
 */
GHashTable *
nc_test_fields (const char *first_name,
                ...)
{
  GHashTable *fields;
  va_list args;

  va_start (args, first_name);
  fields = fields_valist (first_name, args);
  va_end (args);
  return fields;
}

static void
event_stored (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (nc_store_add_call_event_finish (NC_STORE (source), result, NULL, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

/**
 * nc_test_store_event:
 *
 * Stores one verified event the way the listener does (its canonical form), and waits
 * for the commit.
 */
gboolean
nc_test_store_event (NcStore    *store,
                     const char *event_type,
                     GHashTable *fields,
                     gint64      received_at_us)
{
  g_autofree char *canonical = nc_zadarma_encode_params (fields);
  gboolean done = FALSE;

  nc_store_add_call_event_async (store, event_type, canonical, received_at_us, NULL,
                                 event_stored, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return TRUE;
}

/**
 * nc_test_store_matched_event:
 * @client_id: the client the listener matched the caller to; 0: none
 *
 * As nc_test_store_event(), with the caller matched as the listener matches one for its
 * answer to NOTIFY_START.
 */
void
nc_test_store_matched_event (NcStore    *store,
                             const char *event_type,
                             GHashTable *fields,
                             gint64      received_at_us,
                             gint64      client_id)
{
  g_autofree char *canonical = NULL;
  gboolean done = FALSE;

  if (client_id == 0)
    {
      nc_test_store_event (store, event_type, fields, received_at_us);
      return;
    }
  canonical = nc_zadarma_encode_params (fields);
  nc_store_add_matched_call_event_async (store, event_type, canonical, received_at_us,
                                         client_id, "phone", NULL, event_stored, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/**
 * nc_test_store_call_in:
 * @answered: whether extension 100 answered it (for 40 s)
 * @at_us: when it began; it ends 30 s later
 * @client_id: as nc_test_store_matched_event()
 *
 * Stores a whole incoming call from @number to the account's number.
 */
void
nc_test_store_call_in (NcStore    *store,
                       const char *pbx_call_id,
                       const char *number,
                       gboolean    answered,
                       gint64      at_us,
                       gint64      client_id)
{
  g_autofree char *start = nc_call_format_pbx_time (at_us / G_USEC_PER_SEC);
  g_autoptr(GHashTable) first = nc_test_fields ("pbx_call_id", pbx_call_id, "call_start", start,
                                                "caller_id", number, "called_did",
                                                "74951234567", NULL);
  g_autoptr(GHashTable) last = nc_test_fields ("pbx_call_id", pbx_call_id, "call_start", start,
                                               "caller_id", number, "called_did",
                                               "74951234567", "internal", "100",
                                               "duration", answered ? "40" : "0",
                                               "disposition", answered ? "answered" : "no answer",
                                               "status_code", "16", "is_recorded", "0",
                                               "call_id_with_rec", "", NULL);

  nc_test_store_matched_event (store, "NOTIFY_START", first, at_us, client_id);
  nc_test_store_matched_event (store, "NOTIFY_END", last, at_us + 30 * G_USEC_PER_SEC,
                               client_id);
}

/**
 * nc_test_ingest:
 * @tracker: started on @store
 *
 * Stores the event, then has @tracker read the change log.
 *
 * Returns: (transfer none) (nullable): the event's call, as the tracker has it
 */
NcCall *
nc_test_ingest (NcStore       *store,
                NcCallTracker *tracker,
                const char    *event_type,
                GHashTable    *fields,
                gint64         received_at_us)
{
  g_autoptr(GError) error = NULL;

  nc_test_store_event (store, event_type, fields, received_at_us);
  g_assert_true (nc_call_tracker_update_sync (tracker, &error));
  g_assert_no_error (error);
  return nc_call_tracker_lookup (tracker, g_hash_table_lookup (fields, "pbx_call_id"));
}

/**
 * nc_test_add_client:
 * @store: the store
 * @name: the client's name
 * @phone: the client's telephone number
 *
 * Adds a client of one telephone number and no variables, and asserts it is added.
 *
 * Returns: the client's id
 */
gint64
nc_test_add_client (NcStore    *store,
                    const char *name,
                    const char *phone)
{
  g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GError) error = NULL;
  NcClient *client = nc_client_new (0, name, NC_CHANNEL_TELEPHONY, phone, 0);

  nc_client_take_variables (client,
                            g_ptr_array_new_with_free_func ((GDestroyNotify) nc_variable_free));
  g_ptr_array_add (drafts, client);
  g_assert_true (nc_store_add_clients_sync (store, drafts, &ids, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 1);
  return g_array_index (ids, gint64, 0);
}

/**
 * nc_test_get_call:
 * @store: the store
 * @pbx_call_id: the call's id at the PBX
 *
 * Reads a call the test knows is there, and asserts it is.
 *
 * Returns: (transfer full): the call
 */
NcCallRecord *
nc_test_get_call (NcStore    *store,
                  const char *pbx_call_id)
{
  g_autoptr(GError) error = NULL;
  NcCallRecord *record = nc_store_get_call_sync (store, pbx_call_id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  return record;
}

/**
 * nc_test_read_call_pages:
 * @store: the store
 * @filter: the journal's filter
 * @page_size: how many calls a page holds
 *
 * Reads every page of @filter as the journal does, each page after the last call of the one
 * before, and asserts that the calls come newest first and each once.
 *
 * Returns: (transfer full): each call read, by its pbx_call_id (an #NcCallRecord)
 */
GHashTable *
nc_test_read_call_pages (NcStore            *store,
                         const NcCallFilter *filter,
                         guint               page_size)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) nc_call_record_free);
  g_autoptr(NcCallRecord) last = NULL;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = nc_store_list_calls_sync (store, filter, last, page_size,
                                                            &error);

      g_assert_no_error (error);
      for (guint i = 0; i < page->len; i++)
        {
          NcCallRecord *record = page->pdata[i];

          if (last != NULL)
            g_assert_true (record->started_unix < last->started_unix ||
                           (record->started_unix == last->started_unix && record->id < last->id));
          g_assert_true (g_hash_table_insert (seen, g_strdup (record->pbx_call_id),
                                              nc_call_record_copy (record)));
          g_clear_pointer (&last, nc_call_record_free);
          last = nc_call_record_copy (record);
        }
      if (page->len < page_size)
        return seen;
    }
}

/**
 * nc_test_feed:
 * @store: the store the listener writes to
 * @tracker: the tracker that reads it
 * @event_type: the webhook's event
 * @received_at_us: when the listener received it (real time, µs), or 0 for now
 * @first_name: the first of the event's name/value pairs, %NULL-terminated
 *
 * Stores an event as the listener would, and has the tracker read it.
 *
 * Returns: (transfer none) (nullable): the tracker's call of the event's pbx_call_id
 */
NcCall *
nc_test_feed (NcStore       *store,
              NcCallTracker *tracker,
              const char    *event_type,
              gint64         received_at_us,
              const char    *first_name,
              ...)
{
  g_autoptr(GHashTable) fields = NULL;
  va_list args;

  va_start (args, first_name);
  fields = fields_valist (first_name, args);
  va_end (args);
  return nc_test_ingest (store, tracker, event_type, fields,
                         received_at_us != 0 ? received_at_us : g_get_real_time ());
}

/* ------------------------------------------------------------------------------------ */
/* PostgreSQL                                                                            */

static PGconn *
pg_admin (void)
{
  const char *host = g_getenv ("NC_TEST_PG_HOST");
  const char *user = g_getenv ("NC_TEST_PG_USER");
  g_autofree char *conninfo = NULL;
  PGconn *pg;

  if (host == NULL || user == NULL)
    return NULL;
  conninfo = g_strdup_printf ("host=%s user=%s dbname=postgres", host, user);
  pg = PQconnectdb (conninfo);
  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("The PostgreSQL test cluster does not answer: %s", PQerrorMessage (pg));
  return pg;
}

/* Runs @sql on the cluster's postgres database, as the test cluster's superuser. */
gboolean
nc_test_pg_run (const char *sql)
{
  PGconn *pg = pg_admin ();
  PGresult *result;
  gboolean ok;

  if (pg == NULL)
    return FALSE;
  result = PQexec (pg, sql);
  ok = PQresultStatus (result) == PGRES_COMMAND_OK || PQresultStatus (result) == PGRES_TUPLES_OK;
  if (!ok)
    g_test_message ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (pg);
  return ok;
}

/* The first column of the first row of @sql, on the database of @url. */
gint64
nc_test_pg_sql_int (const char *url,
                    const char *sql)
{
  PGconn *pg = PQconnectdb (url);
  PGresult *result;
  gint64 value = -1;

  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s: %s", url, PQerrorMessage (pg));
  result = PQexec (pg, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  if (PQntuples (result) > 0 && !PQgetisnull (result, 0, 0))
    value = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  PQclear (result);
  PQfinish (pg);
  return value;
}

/* Stops or starts the run's PostgreSQL cluster (as its postgres user), as a server's
 * restart does. */
void
nc_test_pg_ctl (const char *what)
{
  g_autofree char *program = g_build_filename (g_getenv ("NC_TEST_PG_BIN"), "pg_ctl", NULL);
  g_autofree char *options = g_strdup_printf ("-k %s -c listen_addresses='' -c max_connections=200",
                                              g_getenv ("NC_TEST_PG_HOST"));
  g_autofree char *log = g_build_filename (g_getenv ("NC_TEST_PG_HOST"), "log", NULL);
  g_autoptr(GError) error = NULL;
  int status = -1;
  const char *argv[] = { "runuser", "-u", "postgres", "--", program, "-D",
                         g_getenv ("NC_TEST_PG_DATA"), "-m", "fast", "-w", "-o", options,
                         "-l", log, what, NULL };

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/**
 * nc_test_store_open_again:
 *
 * Another process's store on the fixture's data (a second desk), or the fixture's own.
 */
NcStore *
nc_test_store_open_again (NcTestStore *fixture)
{
  g_autoptr(GError) error = NULL;
  NcStore *store = fixture->url != NULL
                   ? nc_store_open_database_sync (fixture->url, NULL, &error)
                   : nc_store_open_sync (fixture->dir, &error);

  g_assert_no_error (error);
  return store;
}

/**
 * nc_test_store_set_up:
 * @backend: "postgresql", or anything else for SQLite
 *
 * A fixture's set-up (g_test_add()): the fixture's folder, and its store there or on a
 * database of the test cluster; skipped, its store %NULL, when there is no cluster.
 */
void
nc_test_store_set_up (NcTestStore   *fixture,
                      gconstpointer  backend)
{
  fixture->dir = nc_test_make_temp_dir ();
  if (g_strcmp0 (backend, "postgresql") == 0)
    {
      fixture->url = nc_test_pg_database_new ();
      if (fixture->url == NULL)
        {
          g_test_skip ("no PostgreSQL test cluster (run under tests/harness/session-run)");
          return;
        }
    }
  fixture->store = nc_test_store_open_again (fixture);
}

/* The store closed and gone (no reference left), the database dropped, the folder removed. */
void
nc_test_store_tear_down (NcTestStore   *fixture,
                         gconstpointer  backend)
{
  if (fixture->store != NULL)
    {
      nc_store_close (fixture->store);
      nc_test_wait_for_last_reference (fixture->store);
      g_assert_finalize_object (fixture->store);
    }
  nc_test_pg_database_drop (fixture->url);
  g_free (fixture->url);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/**
 * nc_test_pg_sql_rows:
 * @url: a database of the test cluster (nc_test_pg_database_new())
 *
 * Runs one query on a connection of its own: what is committed, as nc_test_sql_rows()
 * reads a SQLite file.
 *
 * Returns: (transfer full) (element-type GPtrArray): the rows, each a #GPtrArray of its
 *   columns as text (%NULL for SQL NULL)
 */
GPtrArray *
nc_test_pg_sql_rows (const char *url,
                     const char *sql)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  PGconn *pg = PQconnectdb (url);
  PGresult *result;

  if (PQstatus (pg) != CONNECTION_OK)
    g_error ("%s: %s", url, PQerrorMessage (pg));
  result = PQexec (pg, sql);
  if (PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  for (int r = 0; r < PQntuples (result); r++)
    {
      GPtrArray *row = g_ptr_array_new_with_free_func (g_free);

      for (int c = 0; c < PQnfields (result); c++)
        g_ptr_array_add (row, PQgetisnull (result, r, c) ? NULL
                                                         : g_strdup (PQgetvalue (result, r, c)));
      g_ptr_array_add (rows, row);
    }
  PQclear (result);
  PQfinish (pg);
  return rows;
}

/**
 * nc_test_pg_database_new:
 *
 * Returns: (transfer full) (nullable): the URL of a new, empty database (as a user would
 *   give it to --database), or %NULL when the run has no PostgreSQL
 */
char *
nc_test_pg_database_new (void)
{
  static guint counter;
  g_autofree char *name = g_strdup_printf ("t%d_%u_%u", (int) getpid (), counter++,
                                           g_random_int () % 100000);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s", name);

  if (g_getenv ("NC_TEST_PG_HOST") == NULL)
    return NULL;
  g_assert_true (nc_test_pg_run (sql));
  return g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name, g_getenv ("NC_TEST_PG_HOST"),
                          g_getenv ("NC_TEST_PG_USER"));
}

void
nc_test_pg_database_drop (const char *url)
{
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  const char *start, *end;

  if (url == NULL)
    return;
  start = url + strlen ("postgresql:///");
  end = strchr (start, '?');
  name = g_strndup (start, end - start);
  sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE)", name);
  nc_test_pg_run (sql);
}

/* ------------------------------------------------------------------------------------ */
/* The store's file                                                                      */

/**
 * nc_test_sql_rows:
 * @db_path: a store's file (nc_store_get_path(), or NC_STORE_FILE_NAME in its folder)
 *
 * Runs one query on a read-only connection of its own: what is on disk, committed.
 *
 * Returns: (transfer full) (element-type GPtrArray): the rows, each a #GPtrArray of its
 *   columns as text (%NULL for SQL NULL)
 */
GPtrArray *
nc_test_sql_rows (const char *db_path,
                  const char *sql)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int step;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  while ((step = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      GPtrArray *row = g_ptr_array_new_with_free_func (g_free);

      for (int i = 0; i < sqlite3_column_count (stmt); i++)
        g_ptr_array_add (row, g_strdup ((const char *) sqlite3_column_text (stmt, i)));
      g_ptr_array_add (rows, row);
    }
  if (step != SQLITE_DONE)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}

/**
 * nc_test_sql_int:
 *
 * Returns: the first column of the first row of @sql, or -1 when there is none (or it is
 *   NULL)
 */
gint64
nc_test_sql_int (const char *db_path,
                 const char *sql)
{
  g_autoptr(GPtrArray) rows = nc_test_sql_rows (db_path, sql);
  GPtrArray *row;

  if (rows->len == 0)
    return -1;
  row = rows->pdata[0];
  if (row->len == 0 || row->pdata[0] == NULL)
    return -1;
  return g_ascii_strtoll (row->pdata[0], NULL, 10);
}

/**
 * nc_test_sql_exec:
 *
 * Changes the file behind the store's back, in a transaction of its own: for what a test
 * cannot wait for (a minute of the request budget to pass, say).
 */
void
nc_test_sql_exec (const char *db_path,
                  const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* What versions 5 and later of the schema made, undone: a store of version 4 as version 4
 * had it, for the tests of its upgrade. Each new version adds its own undoing here. */
static const char sqlite_back_to_4[] =
  /* 5: the calls of a number */
  "DROP INDEX calls_by_number;"
  /* 6: the outcome and note of a call */
  "DROP TRIGGER calls_note_added; DROP TRIGGER calls_note_changed;"
  "DROP TRIGGER calls_note_deleted; DROP TABLE call_note_search;"
  "ALTER TABLE calls DROP COLUMN outcome; ALTER TABLE calls DROP COLUMN note;"
  /* 7: the clients to call back */
  "DROP TABLE missed_calls;"
  "PRAGMA user_version = 4;";

static const char postgres_back_to_4[] =
  "DROP INDEX calls_by_number;"
  "DROP INDEX calls_note_trigrams; ALTER TABLE calls DROP COLUMN outcome, DROP COLUMN note;"
  "DROP TABLE missed_calls;"
  "UPDATE nc_schema SET version = 4;"
  "SELECT 1;";

/**
 * nc_test_store_back_to_version_4:
 * @db_path: (nullable): the SQLite file, or %NULL for @url
 * @url: (nullable): the PostgreSQL database
 *
 * Takes a closed store back to version 4 of the schema.
 */
void
nc_test_store_back_to_version_4 (const char *db_path,
                                 const char *url)
{
  if (db_path != NULL)
    {
      nc_test_sql_exec (db_path, sqlite_back_to_4);
      return;
    }
  g_assert_cmpint (nc_test_pg_sql_int (url, postgres_back_to_4), ==, 1);
}

/* ------------------------------------------------------------------------------------ */
/* Commands, as a script runs them                                                      */

void
nc_test_run_clear (NcTestRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

/* @program, `--data-dir DIR` when @data_dir is given, then @args up to a %NULL. */
static GPtrArray *
command_line (const char *program,
              const char *data_dir,
              va_list     args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) program);
  if (data_dir != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--data-dir");
      g_ptr_array_add (argv, (gpointer) data_dir);
    }
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/**
 * nc_test_cli:
 * @data_dir: (nullable): the command's `--data-dir`
 * @input: (nullable): its standard input; none: an empty one
 * @...: its arguments, then %NULL
 *
 * Runs `novofon-console [--data-dir DIR] ARGS…` in this process, as nc_cli_run().
 */
NcTestRun
nc_test_cli (const char *data_dir,
             const char *input,
             ...)
{
  g_autoptr(GPtrArray) argv = NULL;
  FILE *in = tmpfile (), *out = tmpfile (), *err = tmpfile ();
  NcTestRun run;
  va_list args;

  if (input != NULL)
    fputs (input, in);
  rewind (in);
  va_start (args, input);
  argv = command_line ("novofon-console", data_dir, args);
  va_end (args);

  run.status = nc_cli_run ((int) argv->len - 1, (char *const *) argv->pdata, in, out, err);
  fclose (in);
  run.out = nc_test_read_stream (out);
  run.err = nc_test_read_stream (err);
  return run;
}

static void
communicated (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NcTestRun *run = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &run->out, &run->err,
                                        &error);
  g_assert_no_error (error);
  /* A crash is never a status: it fails here. */
  g_assert_true (g_subprocess_get_if_exited (G_SUBPROCESS (source)));
  run->status = g_subprocess_get_exit_status (G_SUBPROCESS (source));
}

/**
 * nc_test_program_valist:
 * @launcher: its environment; its pipes are set here
 * @input: (nullable): its standard input
 * @data_dir: the command's `--data-dir`
 * @args: its arguments, then %NULL
 *
 * Runs this build's program, `novofon-console --data-dir DIR ARGS…`, in a process of its
 * own, and waits for its end while the main context turns: a simulator of this process
 * answers it meanwhile.
 */
NcTestRun
nc_test_program_valist (GSubprocessLauncher *launcher,
                        const char          *input,
                        const char          *data_dir,
                        va_list              args)
{
  g_autofree char *path = nc_test_program_path ();
  g_autoptr(GPtrArray) argv = command_line (path, data_dir, args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  NcTestRun run = { -1, NULL, NULL };

  g_subprocess_launcher_set_flags (launcher, G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                             G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                             G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, communicated, &run);
  nc_test_wait_for_nonnull ((gpointer *) &run.out);
  return run;
}

/* nc_test_program_valist(), with the arguments here. */
NcTestRun
nc_test_program (GSubprocessLauncher *launcher,
                 const char          *input,
                 const char          *data_dir,
                 ...)
{
  NcTestRun run;
  va_list args;

  va_start (args, data_dir);
  run = nc_test_program_valist (launcher, input, data_dir, args);
  va_end (args);
  return run;
}
