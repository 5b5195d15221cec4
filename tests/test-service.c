/* test-service.c — the D-Bus service file, as a session bus uses it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A private dbus-daemon gets a copy of the built .service file in its service folder, with
 * Exec pointing at the program of this build. Calling the application's name starts it
 * (D-Bus activation); it answers; app.quit is asked for; and the process must end with
 * status 0: a crash, a fatal warning or a sanitizer report fails the test.
 *
 * The daemon's babysitter lets go of the service once it owns its name. This test is a
 * child subreaper, so the service then becomes its child and its exit status can be read.
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "nc-test-util.h"

#define WAIT_SECONDS 120

typedef struct
{
  char                *dir;
  GSubprocess         *daemon;
  GOutputStream       *said;       /* everything the daemon and the services it started wrote */
  gboolean             said_done;
  GDBusConnection     *bus;
  const char          *app_id;
  char                *object_path;
} Fixture;

static const char *
env_or_fail (const char *name)
{
  const char *value = g_getenv (name);

  if (value == NULL)
    g_error ("%s is not set: run this test through meson (tests/meson.build sets it)", name);
  return value;
}

/* What was said so far: the splice reads it on this thread's main context. */
static char *
said_text (Fixture *fixture)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (fixture->said);
  gsize size;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  size = g_memory_output_stream_get_data_size (memory);
  return size > 0 ? g_strndup (g_memory_output_stream_get_data (memory), size) : g_strdup ("");
}

/* A moment of waiting for a condition, in which what the bus says is still read. */
static void
pause_briefly (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_usleep (10 * 1000);
}

static void
spliced (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  fixture->said_done = TRUE;
}

/* The .service file meson wrote is the installed one: the installed program, as a service.
 * The copy runs the program of this build the same way. */
static void
write_service_copy (Fixture    *fixture,
                    const char *services)
{
  const char *built = env_or_fail ("NC_SERVICE_FILE");
  const char *installed = env_or_fail ("NC_INSTALLED_PROGRAM");
  const char *program = env_or_fail ("NC_PROGRAM");
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *exec = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *new_exec = NULL;
  g_autofree char *basename = g_path_get_basename (built);
  g_autofree char *copy = NULL;
  g_auto(GStrv) argv = NULL;

  g_key_file_load_from_file (file, built, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  name = g_key_file_get_string (file, "D-BUS Service", "Name", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, fixture->app_id);
  exec = g_key_file_get_string (file, "D-BUS Service", "Exec", &error);
  g_assert_no_error (error);
  g_assert_true (g_shell_parse_argv (exec, NULL, &argv, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (argv), ==, 2);
  g_assert_cmpstr (argv[0], ==, installed);
  g_assert_cmpstr (argv[1], ==, "--gapplication-service");

  quoted = g_shell_quote (program);
  new_exec = g_strdup_printf ("%s %s", quoted, argv[1]);
  g_key_file_set_string (file, "D-BUS Service", "Exec", new_exec);
  copy = g_build_filename (services, basename, NULL);
  g_key_file_save_to_file (file, copy, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *services = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_text = NULL;
  g_autofree char *address = NULL;
  const char *const folders[] = { "data", "config", "cache", "runtime" };
  const char *const variables[] = { "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                                    "XDG_RUNTIME_DIR" };

  fixture->app_id = env_or_fail ("NC_APPLICATION_ID");
  fixture->object_path = g_strconcat ("/", fixture->app_id, NULL);
  g_strdelimit (fixture->object_path, ".", '/');
  fixture->dir = nc_test_make_temp_dir ();

  services = g_build_filename (fixture->dir, "services", NULL);
  g_assert_cmpint (g_mkdir (services, 0700), ==, 0);
  write_service_copy (fixture, services);

  /* The service gets folders of its own: it must not open the suite's data. */
  for (guint i = 0; i < G_N_ELEMENTS (folders); i++)
    {
      g_autofree char *folder = g_build_filename (fixture->dir, folders[i], NULL);

      g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
      g_subprocess_launcher_setenv (launcher, variables[i], folder, TRUE);
    }
  g_subprocess_launcher_unsetenv (launcher, "DBUS_SESSION_BUS_ADDRESS");
  g_subprocess_launcher_unsetenv (launcher, "NOVOFON_API_KEY");
  g_subprocess_launcher_unsetenv (launcher, "NOVOFON_API_SECRET");
  g_subprocess_launcher_unsetenv (launcher, "NOVOFON_WEBHOOK_TOKEN");

  config = g_build_filename (fixture->dir, "bus.conf", NULL);
  config_text = g_markup_printf_escaped (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <servicedir>%s</servicedir>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", fixture->dir, services);
  g_assert_true (g_file_set_contents (config, config_text, -1, &error));
  g_assert_no_error (error);

  fixture->daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--nofork",
                                                 "--print-address=1", "--config-file", config,
                                                 NULL);
  g_assert_no_error (error);

  fixture->said = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (fixture->said, g_subprocess_get_stderr_pipe (fixture->daemon),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL,
                                spliced, fixture);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->daemon));
  address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (address);
  fixture->bus = g_dbus_connection_new_for_address_sync (
    address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  g_autofree char *said = NULL;

  g_dbus_connection_close_sync (fixture->bus, NULL, NULL);
  g_clear_object (&fixture->bus);
  g_subprocess_send_signal (fixture->daemon, SIGTERM);
  g_assert_true (g_subprocess_wait (fixture->daemon, NULL, NULL));
  while (!fixture->said_done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (fixture->said_done);

  said = said_text (fixture);
  g_test_message ("the bus and the service said:\n%s", said);
  g_clear_object (&fixture->said);
  g_clear_object (&fixture->daemon);
  nc_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->object_path);
}

static gboolean
name_has_owner (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_sync (
    fixture->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "NameHasOwner", g_variant_new ("(s)", fixture->app_id), G_VARIANT_TYPE ("(b)"),
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  gboolean owned = TRUE;

  g_assert_no_error (error);
  g_variant_get (reply, "(b)", &owned);
  return owned;
}

static GVariant *
call_app (Fixture            *fixture,
          const char         *interface,
          const char         *method,
          GVariant           *parameters,
          const GVariantType *reply_type)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = g_dbus_connection_call_sync (fixture->bus, fixture->app_id,
                                                 fixture->object_path, interface, method,
                                                 parameters, reply_type,
                                                 G_DBUS_CALL_FLAGS_NONE,
                                                 WAIT_SECONDS * 1000, NULL, &error);

  if (error != NULL)
    {
      g_autofree char *said = said_text (fixture);

      g_test_message ("the bus and the service said:\n%s", said);
    }
  g_assert_no_error (error);
  return reply;
}

static pid_t
parent_of (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *stat = NULL;
  const char *after_name;
  int parent = -1;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;
  /* "pid (comm) state ppid …", and comm may hold spaces or parentheses. */
  after_name = strrchr (stat, ')');
  if (after_name == NULL || sscanf (after_name + 1, " %*c %d", &parent) != 1)
    return -1;
  return parent;
}

static void
test_activation (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GVariant) ping = NULL;
  g_autoptr(GVariant) actions = NULL;
  g_autoptr(GVariant) pid_reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) quit = NULL;
  g_autofree char *exe_link = NULL;
  g_autofree char *exe = NULL;
  g_autofree char *program = NULL;
  g_autofree char *said = NULL;
  g_auto(GStrv) names = NULL;
  gint64 deadline;
  gint64 asked;
  guint32 pid = 0;
  int status = 0;
  pid_t waited = 0;

  /* Nothing owns the name until a call activates it. */
  g_assert_false (name_has_owner (fixture));
  ping = call_app (fixture, "org.freedesktop.DBus.Peer", "Ping", NULL, NULL);
  g_assert_true (name_has_owner (fixture));

  /* The application itself answers, with its actions; app.quit among them. */
  actions = call_app (fixture, "org.gtk.Actions", "List", NULL, G_VARIANT_TYPE ("(as)"));
  g_variant_get (actions, "(^as)", &names);
  g_assert_true (g_strv_contains ((const char *const *) names, "quit"));

  /* It is the program of this build that the bus started. */
  pid_reply = g_dbus_connection_call_sync (fixture->bus, "org.freedesktop.DBus",
                                           "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                           "GetConnectionUnixProcessID",
                                           g_variant_new ("(s)", fixture->app_id),
                                           G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                           NULL, &error);
  g_assert_no_error (error);
  g_variant_get (pid_reply, "(u)", &pid);
  g_assert_cmpuint (pid, >, 0);
  exe_link = g_strdup_printf ("/proc/%u/exe", pid);
  exe = g_file_read_link (exe_link, NULL);
  program = g_canonicalize_filename (env_or_fail ("NC_PROGRAM"), NULL);
  g_assert_cmpstr (exe, ==, program);

  /* Once the bus's babysitter has let go of it, the service is this test's child. */
  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (parent_of ((pid_t) pid) != getpid () && g_get_monotonic_time () < deadline)
    pause_briefly ();
  g_assert_cmpint (parent_of ((pid_t) pid), ==, getpid ());

  quit = call_app (fixture, "org.freedesktop.Application", "ActivateAction",
                   g_variant_new ("(sava{sv})", "quit", NULL, NULL), NULL);
  asked = g_get_monotonic_time ();

  deadline = asked + WAIT_SECONDS * G_USEC_PER_SEC;
  while ((waited = waitpid ((pid_t) pid, &status, WNOHANG)) == 0 &&
         g_get_monotonic_time () < deadline)
    pause_briefly ();
  /* A service with no window does not end on app.quit itself but when GApplication's
   * inactivity timeout of a service runs out, some 10 s on: said here, not asserted. */
  g_test_message ("the service ended %.1f s after app.quit",
                  (g_get_monotonic_time () - asked) / (double) G_USEC_PER_SEC);
  said = said_text (fixture);
  if (waited != (pid_t) pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_test_message ("the bus and the service said:\n%s", said);
  g_assert_cmpint (waited, ==, (pid_t) pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* The bus sees the connection go a moment after the process. */
  deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC;
  while (name_has_owner (fixture) && g_get_monotonic_time () < deadline)
    pause_briefly ();
  g_assert_false (name_has_owner (fixture));

  /* Nothing the sanitizers or GLib would call a problem, even one that did not kill it. */
  g_assert_null (strstr (said, "runtime error:"));
  g_assert_null (strstr (said, "Sanitizer"));
  g_assert_null (strstr (said, "-CRITICAL **"));
  g_assert_null (strstr (said, "-WARNING **"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* Orphans of this test (the activated service) become its children. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    g_error ("prctl (PR_SET_CHILD_SUBREAPER): %s", g_strerror (errno));

  g_test_add ("/service/activation", Fixture, NULL, fixture_set_up, test_activation,
              fixture_tear_down);

  return nc_test_run ();
}
