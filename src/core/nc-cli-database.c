/* nc-cli-database.c — `database init` and `calls follow`: the office database, and every
 * change of a call as it happens
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "nc-cli"

#include "config.h"

#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "nc-call-tracker.h"
#include "nc-cli-private.h"

/* ------------------------------------------------------------------------------------ */
/* database init                                                                         */

int
nc_cli_database (NcCliContext *ctx,
                 int           argc,
                 char        **argv)
{
  g_autoptr(NcStore) store = NULL;
  g_autofree char *server = NULL;
  int found;

  if (argc != 2 || !g_str_equal (argv[1], "init"))
    {
      nc_cli_error (ctx, _("Usage: novofon-console --database URL database init"));
      return NC_EXIT_USAGE;
    }

  /* Opening checks the server, creates the schema or upgrades it, in one transaction. */
  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  server = nc_store_get_server_version (store);
  found = nc_store_get_found_version (store);
  if (found == 0)
    fprintf (ctx->out, _("%s: the schema was created (data version %d).\n"),
             nc_store_get_path (store), NC_STORE_SCHEMA_VERSION);
  else if (found < NC_STORE_SCHEMA_VERSION)
    fprintf (ctx->out, _("%s: the data was upgraded from version %d to %d.\n"),
             nc_store_get_path (store), found, NC_STORE_SCHEMA_VERSION);
  else
    fprintf (ctx->out, _("%s: the data is at version %d already; nothing to do.\n"),
             nc_store_get_path (store), found);
  if (server != NULL)
    fprintf (ctx->out, _("Server: %s, with pg_trgm.\n"), server);
  nc_store_close (store);
  return NC_EXIT_OK;
}

/* ------------------------------------------------------------------------------------ */
/* calls follow                                                                          */

typedef struct
{
  NcCliContext *ctx;
  GMainLoop    *loop;
  gboolean      failed;
} Follow;

static const char *
state_name (NcCallState state)
{
  switch (state)
    {
    case NC_CALL_STATE_RINGING:
      return "ringing";
    case NC_CALL_STATE_TALKING:
      return "talking";
    case NC_CALL_STATE_ENDED:
      return "ended";
    default:
      return "unknown";
    }
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

/* One call as a line of JSON: what a script needs to act on it. */
static char *
call_to_json (const NcCallRecord *call)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, call->id);
  add_string (builder, "pbx_call_id", call->pbx_call_id);
  add_string (builder, "direction", call->direction == NC_CALL_DIRECTION_OUT ? "out" : "in");
  add_string (builder, "state", state_name (call->state));
  json_builder_set_member_name (builder, "answered");
  json_builder_add_boolean_value (builder, call->answered);
  add_string (builder, "client_phone", call->client_number);
  add_string (builder, "virtual_number", call->virtual_number);
  json_builder_set_member_name (builder, "client_id");
  if (call->client_id != 0)
    json_builder_add_int_value (builder, call->client_id);
  else
    json_builder_add_null_value (builder);
  add_string (builder, "client_name", call->client_name);
  add_string (builder, "employee", call->employee);
  add_string (builder, "started_at", call->started_at);
  json_builder_set_member_name (builder, "duration");
  json_builder_add_int_value (builder, call->duration);
  add_string (builder, "disposition", call->disposition);
  add_string (builder, "record_link", call->record_link);
  json_builder_set_member_name (builder, "unended");
  json_builder_add_boolean_value (builder, call->unended);
  json_builder_set_member_name (builder, "recovered");
  json_builder_add_boolean_value (builder, call->recovered);
  add_string (builder, "outcome", call->outcome);
  add_string (builder, "note", call->note);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
calls_changed (NcCallTracker *tracker,
               GPtrArray     *calls,
               Follow        *follow)
{
  for (guint i = 0; i < calls->len; i++)
    {
      const NcCallRecord *record = nc_call_get_record (calls->pdata[i]);
      g_autofree char *line = NULL;

      /* A NOTIFY_RECORD before every other event of its call: not a call yet. */
      if (!nc_call_record_has_start (record))
        continue;
      line = call_to_json (record);
      if (fprintf (follow->ctx->out, "%s\n", line) < 0 || fflush (follow->ctx->out) != 0)
        {
          /* The reader went away (a closed pipe): so does this. */
          follow->failed = TRUE;
          g_main_loop_quit (follow->loop);
          return;
        }
    }
}

static gboolean
interrupted (gpointer user_data)
{
  g_main_loop_quit (((Follow *) user_data)->loop);
  return G_SOURCE_CONTINUE;
}

static void
store_problem (NcStore    *store,
               GParamSpec *pspec,
               Follow     *follow)
{
  const char *problem = nc_store_get_problem (store);

  if (problem != NULL)
    nc_cli_error (follow->ctx, "%s", problem);
  else
    fprintf (follow->ctx->err, _("The connection to the database is back.\n"));
}

/* Prints one line of JSON per change of a call, until interrupted: on PostgreSQL as each
 * change is committed (LISTEN), on SQLite as the change log grows, beside a `listen` on the
 * same desk too. */
int
nc_cli_calls_follow (NcCliContext *ctx,
                     int           argc,
                     char        **argv)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcCallTracker) tracker = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  Follow follow = { ctx, NULL, FALSE };
  guint sigint, sigterm;

  if (argc != 2)
    {
      nc_cli_error (ctx, _("Usage: novofon-console calls follow"));
      return NC_EXIT_USAGE;
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;
  tracker = nc_call_tracker_new ();
  if (!nc_call_tracker_start_sync (tracker, store, &error))
    {
      nc_cli_error (ctx, "%s", error->message);
      return NC_EXIT_FAILURE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  follow.loop = loop;
  g_signal_connect (tracker, "calls-changed", G_CALLBACK (calls_changed), &follow);
  g_signal_connect (store, "notify::problem", G_CALLBACK (store_problem), &follow);
  sigint = g_unix_signal_add (SIGINT, interrupted, &follow);
  sigterm = g_unix_signal_add (SIGTERM, interrupted, &follow);
  fprintf (ctx->err, _("Following the calls of %s (Ctrl+C stops)…\n"), nc_store_get_path (store));
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (tracker, &follow);
  g_signal_handlers_disconnect_by_data (store, &follow);
  g_clear_object (&tracker);
  nc_store_close (store);
  return follow.failed ? NC_EXIT_FAILURE : NC_EXIT_OK;
}

/* The value of @option at argv[*i] ("--note TEXT" or "--note=TEXT"), moving *i past it;
 * %NULL when argv[*i] is not @option. */
static const char *
take_option (int          argc,
             char       **argv,
             int         *i,
             const char  *option,
             gboolean    *out_missing)
{
  size_t length = strlen (option);

  if (strncmp (argv[*i], option, length) != 0)
    return NULL;
  if (argv[*i][length] == '=')
    return argv[*i] + length + 1;
  if (argv[*i][length] != '\0')
    return NULL;
  if (*i + 1 >= argc)
    {
      *out_missing = TRUE;
      return NULL;
    }
  return argv[++*i];
}

/* Keeps an outcome and a note on a call (and in its client's variables, for a bot), as
 * the window's "Outcome and Note" does; prints the call as `calls follow` does. */
int
nc_cli_calls_note (NcCliContext *ctx,
                   int           argc,
                   char        **argv)
{
  g_autoptr(NcStore) store = NULL;
  g_autoptr(NcCallRecord) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  const char *outcome = NULL, *note = NULL;
  gboolean given = FALSE, missing = FALSE;

  for (int i = 3; i < argc && !missing; i++)
    {
      const char *value;

      if ((value = take_option (argc, argv, &i, "--outcome", &missing)) != NULL)
        outcome = value;
      else if ((value = take_option (argc, argv, &i, "--note", &missing)) != NULL)
        note = value;
      else
        missing = TRUE;
      given = TRUE;
    }
  if (argc < 4 || missing || !given)
    {
      nc_cli_error (ctx, _("Usage: novofon-console calls note CALL-ID [--outcome OUTCOME] "
                           "[--note TEXT]   (an empty value takes it back)"));
      return NC_EXIT_USAGE;
    }

  store = nc_cli_open_store (ctx);
  if (store == NULL)
    return NC_EXIT_FAILURE;

  /* What the call had stays what is not given. */
  call = nc_store_get_call_sync (store, argv[2], &error);
  if (call != NULL)
    {
      g_autoptr(NcCallRecord) noted = nc_store_note_call_sync (store, argv[2],
                                                               outcome != NULL ? outcome
                                                                               : call->outcome,
                                                               note != NULL ? note : call->note,
                                                               &error);

      g_clear_pointer (&call, nc_call_record_free);
      call = g_steal_pointer (&noted);
    }
  nc_store_close (store);
  if (call == NULL)
    {
      nc_cli_error (ctx, "%s", error->message);
      return g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_NOT_FOUND) ||
             g_error_matches (error, NC_STORE_ERROR, NC_STORE_ERROR_INVALID)
             ? NC_EXIT_USAGE : NC_EXIT_FAILURE;
    }
  line = call_to_json (call);
  fprintf (ctx->out, "%s\n", line);
  return fflush (ctx->out) == 0 ? NC_EXIT_OK : NC_EXIT_FAILURE;
}
